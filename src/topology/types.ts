/**
 * The validated, normalized topology: what the planner consumes. Every item
 * keeps the document path it came from, so later stages can point at it.
 */
import type { ImpairmentInput } from "../impairment.js";
import type { BgpGlobalInput, BgpInterfaceInput, BgpNodeInput } from "./modules/bgp.js";
import type { IsisInterfaceInput, IsisNodeInput } from "./modules/isis.js";
import type { OspfInterfaceInput, OspfNodeInput } from "./modules/ospf.js";
import type { RoutingNodeInput, StaticRouteInput } from "./modules/routing.js";
import type { ModuleName } from "./modules/types.js";

export type { ModuleName } from "./modules/types.js";

/** Document path of a value, e.g. `["links", 3, "rt1", "ipv4"]`. */
export type SourcePath = readonly (string | number)[];

/** `linux`: a network namespace; `vm`: a QEMU virtual machine (the names a file may write). */
export type NodeKind = "linux" | "vm";

/** What runs in a node: `linux` (a host) or `frr` (an FRRouting router); netlab's `device`. */
export type DeviceName = "linux" | "frr";
/**
 * What a file may write as a link's transport: vEth pair, Linux bridge, QEMU
 * UDP tunnel, tap+tc, or the wire daemon's hub/switch (`relay: true` asks
 * for the daemon's relay). The planner decides and checks it.
 */
export type Transport = "veth" | "bridge" | "udp" | "tap" | "hub" | "switch";

/** How a pool gives hosts their addresses (netlab's `allocation`). */
export type Allocation = "p2p" | "sequential" | "id_based";

/** An address pool, already parsed. */
export interface Pool {
  /** IPv4 pool in CIDR form; `true`: unnumbered IPv4; undefined when the family is off. */
  readonly ipv4?: string | true;
  /** Prefix length of each IPv4 subnet taken from the pool. */
  readonly prefix: number;
  /** IPv6 pool in CIDR form; `true`: link-local only; undefined when the family is off. */
  readonly ipv6?: string | true;
  /** Prefix length of each IPv6 subnet taken from the pool. */
  readonly prefix6: number;
  /** Interfaces get IPv4 from their node's loopback and IPv6 link-local only (netlab's `unnumbered`). */
  readonly unnumbered?: boolean;
  /** How hosts get addresses, when the pool says. */
  readonly allocation?: Allocation;
}

/** The pools: netlab's own, and the topology's. */
export interface Addressing {
  /** Default 10.0.0.0/24, /32 per node. */
  readonly loopback: Pool;
  /** Default 10.1.0.0/16, /30 per link. */
  readonly p2p: Pool;
  /** Default 172.16.0.0/16, /24 per LAN. */
  readonly lan: Pool;
  /** Router IDs of nodes without an IPv4 loopback (default 10.0.0.0/24, /32). */
  readonly router_id: Pool;
  /** Pools the topology defines besides those (for a link's `pool` or `role`). */
  readonly extra: Readonly<Record<string, Pool>>;
}

/** A static route as written: `prefix` is normalized CIDR (`default` → `0.0.0.0/0`). */
export interface TopologyRoute {
  readonly prefix: string;
  readonly via: string;
  readonly path: SourcePath;
}

/** A node with defaults applied. */
export interface TopologyNode {
  readonly name: string;
  readonly kind: NodeKind;
  readonly device: DeviceName;
  /** A router's files as written, made absolute against the topology file's folder. */
  readonly router?: {
    /** Startup configuration (`frr.conf`). */
    readonly config?: string;
    /** FRR's `daemons` file. */
    readonly daemons?: string;
  };
  /** Explicit setting; undefined lets `routing: static` decide. */
  readonly forwarding?: boolean;
  readonly routes: readonly TopologyRoute[];
  /** Loopback request per family: `true` takes from the loopback pool (if that family's pool is on), a string is a fixed CIDR. */
  readonly loopback?: {
    readonly ipv4?: string | true;
    readonly ipv6?: string | true;
    readonly pool?: string;
  };
  /** The topology said nothing of the node's loopback (netlab gives routers one). */
  readonly loopbackUnsaid?: boolean;
  /** Node ID, as written (netlab's `id`). */
  readonly id?: number;
  /** `router` or `host` (netlab's role): written, else the device's. */
  readonly role: "router" | "host";
  /** Modules the node runs, in configuration order. */
  readonly modules: readonly ModuleName[];
  /** Module attributes, merged from the topology, defaults and groups. */
  readonly ospf?: OspfNodeInput;
  readonly bgp?: BgpNodeInput;
  readonly isis?: IsisNodeInput;
  readonly routing?: RoutingNodeInput;
  /** MTU of its interfaces that name none, in bytes. */
  readonly mtu?: number;
  /** VM memory in MiB, if written. */
  readonly memory?: number;
  /** VM CPUs, if written. */
  readonly cpus?: number;
  /** A user image to boot: absolute paths (relative ones resolved against the topology file's folder). */
  readonly userImage?: {
    readonly disk?: string;
    readonly kernel?: string;
    readonly initrd?: string;
    readonly append?: string;
  };
  /** NIC model of a VM. */
  readonly nic?: "virtio" | "e1000";
  /** How a VM of wirelab's image starts: from its shape's snapshot, or by booting. */
  readonly start?: "snapshot" | "boot";
  /** Shell commands run in the node once it is built, in order. */
  readonly exec?: readonly string[];
  /**
   * Attribute keys written on the node itself (not from `defaults`): the
   * planner asks the node's kind which of them it takes.
   */
  readonly written: readonly string[];
  readonly path: SourcePath;
}

/**
 * Address request of one endpoint: a CIDR string, a host index inside the
 * link's prefix (netlab's integer form), `true` (allocate), or `false` (none).
 */
export type AddressRequest = string | number | boolean;

/** One node's attachment to a link, as requested. */
export interface TopologyEndpoint {
  readonly node: string;
  readonly ifname?: string;
  readonly ipv4?: AddressRequest;
  readonly ipv6?: AddressRequest;
  /** Impairments of the frames this endpoint sends. */
  readonly impair?: ImpairmentInput;
  /** In bytes. */
  readonly mtu?: number;
  /** In kbit/s. */
  readonly bandwidth?: number;
  readonly shutdown?: boolean;
  /** Free text: the interface's description. */
  readonly description?: string;
  /** Module attributes of the interface (`false`: the module is off there). */
  readonly ospf?: OspfInterfaceInput | false;
  readonly bgp?: BgpInterfaceInput | false;
  readonly isis?: IsisInterfaceInput | false;
  readonly path: SourcePath;
}

/** A link in any input form, normalized to its endpoints and attributes. */
export interface TopologyLink {
  /** Position in `links:` (0-based). */
  readonly index: number;
  readonly name?: string;
  /**
   * As written (`type:`); the planner decides it otherwise (three or more
   * endpoints, or a transport that carries LANs, make a LAN).
   */
  readonly type?: "p2p" | "lan" | "stub";
  readonly transport?: Transport;
  /**
   * Prefixes as written: per family a prefix, `true` (unnumbered/LLA-only)
   * or `false` (none); `false` alone: no addresses.
   */
  readonly prefix?:
    | {
        readonly ipv4?: string | boolean;
        readonly ipv6?: string | boolean;
        readonly allocation?: Allocation;
      }
    | false;
  /** A named prefix (top-level `prefix:`) to take the link's prefixes from. */
  readonly prefixName?: string;
  /** The pool to take the prefix from. */
  readonly pool?: string;
  readonly unnumbered?: boolean;
  /** netlab's link role (`stub`, `passive`, `external`, …). */
  readonly role?: string;
  /** Free text: the interfaces' description. */
  readonly description?: string;
  readonly mtu?: number;
  readonly bandwidth?: number;
  readonly shutdown?: boolean;
  readonly ra?: {
    readonly disable?: boolean;
    readonly slaac?: boolean;
    readonly onlink?: boolean;
    readonly dhcp?: "all" | "other";
  };
  readonly ospf?: OspfInterfaceInput | false;
  readonly bgp?: BgpInterfaceInput | false;
  readonly isis?: IsisInterfaceInput | false;
  /** Impairments of both directions (an endpoint's own `impair` overrides them for its frames). */
  readonly impair?: ImpairmentInput;
  /** Carry a VM↔VM p2p link through the wire daemon. */
  readonly relay?: boolean;
  readonly endpoints: readonly TopologyEndpoint[];
  readonly path: SourcePath;
}

/** A `validate:` test, one per (from, to) pair after expansion. */
export interface TopologyTest {
  readonly name: string;
  readonly from: string;
  /** Node name or address. */
  readonly ping: string;
  readonly expect: "success" | "fail";
  readonly af?: "ipv4" | "ipv6";
  readonly path: SourcePath;
}

/** One of netlab's tests (`validate:` entries with `nodes`, `plugin`, `show`, `exec`, `wait`). */
export interface NetlabTest {
  readonly name: string;
  readonly description?: string;
  readonly nodes: readonly string[];
  /** A call of a validation plugin, as written (`ospf_neighbor(nodes.dut.ospf.router_id)`). */
  readonly plugin?: string;
  /** Commands, for all devices or per device. */
  readonly show?: string | Readonly<Record<string, string>>;
  readonly exec?: string | Readonly<Record<string, string>>;
  readonly valid?: string | Readonly<Record<string, string>>;
  /** Seconds to retry (with an action) or to wait (alone). */
  readonly wait?: number;
  readonly waitMsg?: string;
  readonly level?: "warning";
  readonly stopOnError?: boolean;
  readonly pass?: string;
  readonly fail?: string;
  /** Why the test cannot run here (netlab's `config` templates, SuzieQ): validate reports it skipped. */
  readonly skip?: string;
  readonly path: SourcePath;
}

/** A named prefix (netlab's `prefix:`), resolved. */
export interface NamedPrefix {
  readonly ipv4?: string;
  readonly ipv6?: string;
  /** A pool to take the prefixes from, when none are written. */
  readonly pool?: string;
  readonly allocation?: Allocation;
}

/** A validated topology with defaults filled. */
export interface Topology {
  readonly name: string;
  /** File it was loaded from, if any. */
  readonly file?: string;
  /** Whose rules fill in what the file leaves out: netlab's (its files) or wirelab's. */
  readonly format: "netlab" | "wirelab";
  readonly routing: "static" | "none";
  readonly addressing: Addressing;
  readonly nodes: readonly TopologyNode[];
  readonly links: readonly TopologyLink[];
  readonly tests: readonly TopologyTest[];
  /** netlab's tests, in order. */
  readonly checks: readonly NetlabTest[];
  /** Modules some node runs. */
  readonly modules: readonly ModuleName[];
  /** Global BGP attributes that stay global (rr_list, ebgp_role, advertise_roles). */
  readonly bgp?: BgpGlobalInput;
  /** Global static route lists (`routing.static.NAME`), for `include`. */
  readonly staticRoutes: Readonly<Record<string, readonly StaticRouteInput[]>>;
  readonly prefixes: Readonly<Record<string, NamedPrefix>>;
  /** Printed by `up`. */
  readonly message?: string;
}
