/**
 * The validated, normalized topology: what the planner consumes. Every item
 * keeps the document path it came from, so later stages can point at it.
 */
import type { ImpairmentInput } from "../impairment.js";

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

/** An address pool, already parsed. */
export interface Pool {
  /** IPv4 pool in CIDR form, or undefined when the family is off. */
  readonly ipv4?: string;
  /** Prefix length of each IPv4 subnet taken from the pool. */
  readonly prefix: number;
  readonly ipv6?: string;
  /** Prefix length of each IPv6 subnet taken from the pool. */
  readonly prefix6: number;
}

/** The three netlab pools. */
export interface Addressing {
  /** Default 10.0.0.0/24, /32 per node. */
  readonly loopback: Pool;
  /** Default 10.1.0.0/16, /30 per link. */
  readonly p2p: Pool;
  /** Default 172.16.0.0/16, /24 per LAN. */
  readonly lan: Pool;
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
  readonly loopback?: { readonly ipv4?: string | true; readonly ipv6?: string | true };
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
  readonly type?: "p2p" | "lan";
  readonly transport?: Transport;
  readonly prefix?: { readonly ipv4?: string; readonly ipv6?: string };
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

/** A validated topology with defaults filled. */
export interface Topology {
  readonly name: string;
  /** File it was loaded from, if any. */
  readonly file?: string;
  readonly routing: "static" | "none";
  readonly addressing: Addressing;
  readonly nodes: readonly TopologyNode[];
  readonly links: readonly TopologyLink[];
  readonly tests: readonly TopologyTest[];
}
