/**
 * A transport is what carries a link. Each one (a file in this folder)
 * builds its link plan from a written link, and describes as data what the
 * rest of wirelab does with it: the kernel objects it needs, the mirred
 * pairs, the ports, what backs a VM's NIC on it, where its frames can be
 * captured, and whether the wire daemon carries it. Providers and verbs act
 * on these descriptions; none of them tests a transport's name.
 */
import type { TopologyLink } from "../../topology/types.js";
import type { Attachment } from "../kinds/types.js";
import type { UniqueNames } from "../names.js";
import type { PortRequest } from "../ports.js";
import type { HostNames } from "../sticky.js";
import type { EndpointPlan, LinkPlan } from "../types.js";
import type { PlanView } from "../view.js";

/** One end of a vEth pair: in a namespace (a node's or the lab's), or in the host's when `namespace` is absent. */
export interface VethEnd {
  readonly ifname: string;
  readonly namespace?: string;
  /** The MAC the end gets; the kernel picks one when absent. */
  readonly mac?: string;
  /**
   * `software`: the kernel completes the TCP/UDP checksums (and segments)
   * of what this end sends before it leaves (its tx checksum offload off):
   * set on an end whose peer is read by socat, which takes frames as they
   * are, so offloaded ones would arrive with a checksum not filled in.
   */
  readonly checksum?: "software";
}

/**
 * A kernel object a transport needs, created by the netns provider.
 * - `veth`: a pair; an end in the host's namespace gets no IPv6 link-local
 *   address (the host never sends on it) and is set up at once;
 * - `tap`: a persistent tap in the host's namespace, up;
 * - `bridge`: a Linux bridge in a namespace with the given ports (vEth ends
 *   already in that namespace) enslaved.
 */
export type KernelObject =
  | { readonly type: "veth"; readonly ends: readonly [VethEnd, VethEnd] }
  | { readonly type: "tap"; readonly name: string }
  | {
      readonly type: "bridge";
      readonly namespace: string;
      readonly name: string;
      readonly ports: readonly string[];
    };

/**
 * What backs a VM NIC on a link (QEMU docs, "Network options"):
 * - `udp`: a UDP socket on 127.0.0.1 that sends to the peer's port (keys
 *   into the lab's ports);
 * - `tap`: a host tap device;
 * - `stream`: a unix stream socket QEMU listens on and the wire daemon
 *   connects to (its path is the lab layout's, per node and NIC).
 */
export type NicBackend =
  | { readonly type: "udp"; readonly localPort: string; readonly remotePort: string }
  | { readonly type: "tap"; readonly device: string }
  | { readonly type: "stream" };

/**
 * Where frames can be watched from the host:
 * - `device`: a kernel interface, in a namespace or the host's; frames
 *   entering it are `inbound` from the watched endpoint's side, unless
 *   `reversed` (a VM's tap: what enters it, the guest sent);
 * - `tunnel`: a QEMU UDP tunnel on loopback; datagrams from `port` are the
 *   endpoint's own (key into the lab's ports);
 * - `daemon`: the wire daemon's copy of a link (`port`: one endpoint as
 *   `node:ifname`, else the whole link, each frame once).
 */
export type CapturePoint =
  | {
      readonly type: "device";
      readonly device: string;
      readonly namespace?: string;
      readonly reversed?: boolean;
      /** A whole segment seen at one place: directions unknown. */
      readonly segment?: boolean;
    }
  | { readonly type: "tunnel"; readonly port: string }
  | { readonly type: "daemon"; readonly link: string; readonly port?: string };

/**
 * How the wire daemon reaches one side of a link spliced onto it live
 * (`wirelab link impair` on a link it does not carry):
 * - `device`: an interface in a namespace (a node's own, or a LAN port in
 *   the lab namespace). What leaves it is redirected (tc mirred, egress) to
 *   a helper vEth whose host end the daemon serves through socat, and what
 *   the daemon sends enters the interface as if received (mirred ingress),
 *   so the interface, its addresses and routes stay as they are;
 * - `guest`: what a VM NIC sends and is handed, taken at its QEMU netdev
 *   (filter-redirectors, QEMU docs "-object filter-redirector");
 * - `network`: what reaches the same NIC from its backend (a tunnel, a
 *   tap) and what is sent into that backend, at the same netdev.
 */
export type SpliceSide =
  | { readonly type: "device"; readonly namespace: string; readonly device: string }
  | { readonly type: "guest" | "network"; readonly node: string; readonly ifname: string };

/** One port of a spliced link on the daemon: its name and where its frames are taken. */
export interface SplicePort {
  /** `node:ifname`, or the LAN's name for the LAN side of a spliced LAN port. */
  readonly name: string;
  readonly side: SpliceSide;
}

/** A link (or one LAN port) as the wire daemon carries it once spliced: a relay of two ports. */
export interface SplicePlan {
  /** The daemon link's name: the link's, or `LINK/NODE:IFNAME` for a LAN port. */
  readonly name: string;
  /** The planned link. */
  readonly link: string;
  readonly ports: readonly [SplicePort, SplicePort];
}

/** What {@link Transport.build} gets: the written link and what the planner decided. */
export interface LinkBuildInput {
  readonly link: TopologyLink;
  /** Position in `links:` (0-based). */
  readonly index: number;
  readonly name: string;
  readonly type: "p2p" | "lan";
  readonly subnets: { readonly ipv4?: string; readonly ipv6?: string };
  /** Node and interface of each end, in written order. */
  readonly endpoints: readonly EndpointPlan[];
  /** The name {@link Transport.labName} asked for, as taken before any link was built. */
  readonly labName?: string;
}

/** Names and facts a transport may take while it is built. */
export interface BuildContext {
  readonly attaches: (node: string) => Attachment;
  /** The lab namespace (for bridges). */
  readonly labNamespace: string;
  /** Names taken in the lab namespace (bridges first, then ports). */
  readonly labNames: UniqueNames;
  /** Tap and vEth names in the host's namespace. */
  readonly hostNames: HostNames;
}

/** One transport. */
export interface Transport<L extends LinkPlan = LinkPlan> {
  readonly name: L["transport"];
  /**
   * Carried by the wire daemon: impairments, link down/up and captures go
   * through it, and `create --output script` cannot build it.
   */
  readonly daemon: boolean;
  /** Whether links of it need the lab namespace (to hold a bridge). */
  readonly needsLabNamespace: boolean;
  /**
   * A name the link needs in the lab namespace before any port is named
   * (a bridge's): the readable one, and a short one to fall back on.
   */
  labName?(input: Omit<LinkBuildInput, "labName">): { preferred: string; fallback: string };
  build(input: LinkBuildInput, ctx: BuildContext): L;
  /** Kernel objects, in creation order. */
  kernelObjects(link: L, view: PlanView): KernelObject[];
  /** Host devices joined both ways by tc mirred redirects. */
  mirredPairs(link: L): (readonly [string, string])[];
  /** Ports on 127.0.0.1 it needs, besides the nodes' own. */
  ports(link: L, view: PlanView): PortRequest[];
  /**
   * What backs a hypervisor endpoint's NIC.
   * @throws {Error} when the transport cannot reach a VM
   */
  nicBackend(link: L, ep: EndpointPlan): NicBackend;
  /** Where a hypervisor endpoint's frames are seen in the host. */
  hostCapture(link: L, ep: EndpointPlan): CapturePoint;
  /** Where the whole link is seen at once, if anywhere. */
  linkCapture(link: L): CapturePoint | undefined;
  /** Objects that carry an endpoint, for `wirelab plan` (e.g. `port h1-eth1`, `tap wl1a2b3t1`). */
  endpointObjects(link: L, ep: EndpointPlan): string[];
  /**
   * How the link is spliced onto the wire daemon live for endpoint `ep`
   * (a p2p link whole; one port of a LAN). Absent for links the daemon
   * carries already.
   */
  splice?(link: L, ep: EndpointPlan, view: PlanView): SplicePlan;
  /**
   * The host device that gives a namespace endpoint its carrier, where one
   * does (the vEth host end facing it): set down, the endpoint sees no
   * carrier while its own interface is not touched (its partner stopped).
   */
  carrierDevice?(link: L, ep: EndpointPlan): string | undefined;
  /** The transport as `wirelab plan` shows it, e.g. `bridge br1`. */
  label(link: L): string;
}
