/**
 * The lab plan: every name, MAC, address, route and transport decided. Pure
 * data, JSON-serializable, and the only input of providers and generators.
 * Nodes are a union tagged by `kind`, links a union tagged by `transport`:
 * code that needs to know which one it holds asks the node's kind
 * (`plan/kinds`) or the link's transport (`plan/transports`), never the
 * fields (see docs/design.md).
 */
import type { Impairment } from "../impairment.js";
import type { IsisInterfacePlan, OspfInterfacePlan, ProtocolsPlan } from "./protocols/types.js";

export type * from "./protocols/types.js";

/** Plan format version, bumped on incompatible changes (2: `ifname`, nodes tagged by kind). */
export const PLAN_VERSION = 2;

/** A network interface of a node. */
export interface InterfacePlan {
  /** Name inside the node, e.g. `eth1` (iproute2's `ifname`). */
  readonly ifname: string;
  /** Locally administered unicast MAC, `xx:xx:xx:xx:xx:xx`. */
  readonly mac: string;
  /** `addr/len`, if the link carries IPv4 to this node. */
  readonly ipv4?: string;
  /** `addr/len`, if the link carries IPv6 to this node. */
  readonly ipv6?: string;
  /** Name of the link this interface is on. */
  readonly link: string;
  /** For p2p links, the far end as `node:ifname`. */
  readonly peer?: string;
  /** MTU in bytes, when the topology sets one. */
  readonly mtu?: number;
  /** Left down (netlab's `shutdown`). */
  readonly shutdown?: true;
  /** Bandwidth in kbit/s (FRR's `bandwidth`), when set. */
  readonly bandwidth?: number;
  /** Free text for the interface (netlab's interface name, `r1 -> r2`). */
  readonly description?: string;
  /**
   * Unnumbered families: IPv4 borrows the node's loopback (`ipv4` holds
   * it, as FRR's unnumbered interfaces have it), IPv6 is link-local only.
   */
  readonly unnumbered?: { readonly ipv4?: true; readonly ipv6?: true };
  /** The link's role (netlab's: `stub`, `passive`, `external`, …). */
  readonly role?: string;
  /** OSPF on this interface. */
  readonly ospf?: OspfInterfacePlan;
  /** IS-IS on this interface. */
  readonly isis?: IsisInterfacePlan;
  /** The interface's prefix is announced in BGP. */
  readonly bgpAdvertise?: true;
  /** IPv6 router advertisements this router sends (netlab's `ra`). */
  readonly ra?: {
    readonly disable?: boolean;
    readonly slaac?: boolean;
    readonly onlink?: boolean;
    readonly dhcp?: "all" | "other";
  };
}

/** One next hop of a route. */
export interface NextHop {
  /** Gateway address. */
  readonly via: string;
  /** Outgoing interface of the node. */
  readonly dev: string;
}

/** A route on a node; several next hops make an ECMP route. */
export interface RoutePlan {
  /** Destination in CIDR form (`0.0.0.0/0` for the default route). */
  readonly prefix: string;
  readonly nexthops: readonly NextHop[];
  /** `static`: written in the topology; `routing`: computed by `routing: static`. */
  readonly origin: "static" | "routing";
}

/** A user's image to boot instead of wirelab's guest (absolute paths). */
export interface UserImagePlan {
  readonly disk?: string;
  readonly kernel?: string;
  readonly initrd?: string;
  readonly append?: string;
}

/** How a VM node runs. */
export interface VmPlan {
  /** Guest memory in MiB. */
  readonly memoryMiB: number;
  readonly cpus: number;
  /** MAC of `eth0`, on the management network (QEMU user networking). */
  readonly managementMac: string;
  /** NIC model for every interface: QEMU's `virtio-net-pci` or `e1000`. */
  readonly nic: "virtio-net-pci" | "e1000";
  /**
   * `boot` when the node asks to boot rather than start from its shape's
   * snapshot (`start: boot`); absent: the snapshot, where it can.
   */
  readonly start?: "boot";
  /**
   * The user's image, when the VM does not run wirelab's guest. Such a VM has
   * no command agent: wirelab wires it but cannot run commands in it.
   */
  readonly userImage?: UserImagePlan;
}

/** `device: linux`: a plain host. */
export interface LinuxDevicePlan {
  readonly name: "linux";
}

/** `device: frr`: a router running FRRouting. */
export interface FrrDevicePlan {
  readonly name: "frr";
  /** The user's startup configuration (`frr.conf`), absolute path. */
  readonly config?: string;
  /** The user's FRR `daemons` file, absolute path. */
  readonly daemons?: string;
  /**
   * The configuration wirelab made from the topology (netlab's initial
   * configuration and modules), FRR's `frr.conf` text; a user's `config`
   * follows it.
   */
  readonly generated?: string;
}

/** What runs in a node, by device name. */
export type DevicePlan = LinuxDevicePlan | FrrDevicePlan;

/** What every node plan has. */
interface NodePlanBase {
  readonly name: string;
  /** What runs in it (absent in plans written before devices: `linux`). */
  readonly device?: DevicePlan;
  /** IP forwarding (IPv4 and IPv6) on. */
  readonly forwarding: boolean;
  /** Addresses on `lo`, `addr/len`. */
  readonly loopback: { readonly ipv4?: string; readonly ipv6?: string };
  readonly interfaces: readonly InterfacePlan[];
  readonly routes: readonly RoutePlan[];
  /** Shell commands run in the node (`sh -c`), in order, once it is built (absent when none). */
  readonly exec?: readonly string[];
  /** Node ID (netlab's `id`; absent in plans written before IDs). */
  readonly id?: number;
  /** `router` or `host` (absent in older plans: by its device). */
  readonly role?: "router" | "host";
  /** Modules it runs (absent when none). */
  readonly modules?: readonly string[];
  /** Its routing protocols, as decided (absent when it runs none). */
  readonly protocols?: ProtocolsPlan;
}

/** A `linux` node: a network namespace. */
export interface LinuxNodePlan extends NodePlanBase {
  readonly kind: "linux";
  /** Its network namespace, `wl-<lab>-<node>`. */
  readonly namespace: string;
}

/** A `vm` node: a QEMU virtual machine. */
export interface VmNodePlan extends NodePlanBase {
  readonly kind: "vm";
  readonly vm: VmPlan;
}

/** A node with everything decided, by kind. */
export type NodePlan = LinuxNodePlan | VmNodePlan;

/** Names of the node kinds. */
export type NodeKindName = NodePlan["kind"];

/** One attachment of a node to a link. */
export interface EndpointPlan {
  readonly node: string;
  readonly ifname: string;
}

/** What every link plan has. */
export interface LinkPlanBase {
  readonly name: string;
  /** Subnets of the link, `net/len`, per family. */
  readonly subnets: { readonly ipv4?: string; readonly ipv6?: string };
}

/** A point-to-point vEth pair whose ends are the two nodes' interfaces. */
export interface VethLinkPlan extends LinkPlanBase {
  readonly type: "p2p";
  readonly transport: "veth";
  readonly endpoints: readonly [EndpointPlan, EndpointPlan];
}

/** A LAN port: a node's interface and the bridge-side vEth end that carries it. */
export interface PortPlan extends EndpointPlan {
  /** Interface name inside the lab namespace, enslaved to the bridge. */
  readonly port: string;
  /** For a VM: its tap in the host namespace … */
  readonly tap?: string;
  /** … joined by tc mirred to this host end of the vEth whose other end is `port`. */
  readonly hostVeth?: string;
}

/** A LAN on a Linux bridge inside the lab's own namespace. */
export interface BridgeLinkPlan extends LinkPlanBase {
  readonly type: "p2p" | "lan";
  readonly transport: "bridge";
  /** Namespace holding the bridge: the lab namespace. */
  readonly namespace: string;
  /** Bridge device name in that namespace. */
  readonly bridge: string;
  readonly endpoints: readonly PortPlan[];
}

/** A VM↔VM link on a QEMU UDP unicast tunnel (ports are allocated by `up`). */
export interface UdpLinkPlan extends LinkPlanBase {
  readonly type: "p2p";
  readonly transport: "udp";
  readonly endpoints: readonly [EndpointPlan, EndpointPlan];
}

/** One end of a tap link: a VM's tap, or a namespace interface reached through a vEth. */
export interface TapEndpointPlan extends EndpointPlan {
  /** The VM's tap in the host namespace. */
  readonly tap?: string;
  /** Host end of the vEth whose other end is the namespace node's interface. */
  readonly hostVeth?: string;
}

/** A p2p link with a VM end carried by taps and tc mirred redirects (no bridge: every frame passes). */
export interface TapLinkPlan extends LinkPlanBase {
  readonly type: "p2p";
  readonly transport: "tap";
  readonly endpoints: readonly [TapEndpointPlan, TapEndpointPlan];
}

/** One node interface on a link the wire daemon carries. */
export interface WireEndpointPlan extends EndpointPlan {
  /** Impairments of the frames this endpoint sends, if any. */
  readonly impair?: Impairment;
  /**
   * For a namespace node: host end of the vEth whose other end is its
   * interface; socat joins it to the daemon (raw frames ↔ UDP).
   */
  readonly hostVeth?: string;
}

/**
 * A link carried by the wire daemon: each VM NIC is a unix stream socket
 * QEMU listens on, each namespace interface a vEth whose host end socat
 * joins to its daemon port (ports are allocated by `up`). `hub` passes every
 * frame to every other port, `switch` learns MACs, `relay` is a p2p link.
 */
export interface WireLinkPlan extends LinkPlanBase {
  readonly type: "p2p" | "lan";
  readonly transport: "hub" | "switch" | "relay";
  readonly endpoints: readonly WireEndpointPlan[];
}

/** A link by transport: a vEth pair, ports on a bridge, a QEMU UDP tunnel, taps joined by tc mirred, or the wire daemon. */
export type LinkPlan = VethLinkPlan | BridgeLinkPlan | UdpLinkPlan | TapLinkPlan | WireLinkPlan;

/** Names of the transports. */
export type TransportName = LinkPlan["transport"];

/** A reachability test from `validate:`, target resolved to an address. */
export interface TestPlan {
  readonly name: string;
  readonly from: string;
  /** Address pinged. */
  readonly target: string;
  /** Node the address belongs to, when the topology named a node. */
  readonly targetNode?: string;
  readonly family: "ipv4" | "ipv6";
  readonly expect: "success" | "fail";
}

/** One of netlab's tests, as the topology writes it (evaluated by `validate`). */
export interface CheckPlan {
  readonly name: string;
  readonly description?: string;
  readonly nodes: readonly string[];
  /** A validation plugin call (Python expression). */
  readonly plugin?: string;
  readonly show?: string | Readonly<Record<string, string>>;
  readonly exec?: string | Readonly<Record<string, string>>;
  readonly valid?: string | Readonly<Record<string, string>>;
  /** Seconds. */
  readonly wait?: number;
  readonly waitMsg?: string;
  readonly level?: "warning";
  readonly stopOnError?: boolean;
  readonly pass?: string;
  readonly fail?: string;
  /** Why it cannot run here; `validate` reports it skipped. */
  readonly skip?: string;
}

/** Everything needed to build, describe and tear down one lab. */
export interface LabPlan {
  readonly version: typeof PLAN_VERSION;
  readonly lab: string;
  /** Whose rules filled in the topology (absent in older plans: wirelab's). */
  readonly format?: "netlab" | "wirelab";
  /** The device given outside the file when it was planned (`-d`, `NETLAB_DEVICE`); a re-plan of the file uses it again. */
  readonly device?: string;
  /** What `up` tells the user (netlab's `message`). */
  readonly message?: string;
  /** netlab's tests (absent when there are none). */
  readonly checks?: readonly CheckPlan[];
  /** Named prefixes (netlab's `prefix:`), allocated (absent when there are none). */
  readonly prefixes?: Readonly<Record<string, { readonly ipv4?: string; readonly ipv6?: string }>>;
  /** Namespace of the lab's own objects (LAN bridges), if it needs one. */
  readonly labNamespace?: string;
  readonly nodes: readonly NodePlan[];
  readonly links: readonly LinkPlan[];
  readonly tests: readonly TestPlan[];
}
