/**
 * The transports, by name: the one place that maps a link's transport to
 * what it does. A new transport is a new file here, a row in `table.ts`
 * and a line below.
 */
import { specOf } from "../kinds/index.js";
import type { PortRequest } from "../ports.js";
import type { EndpointPlan, LabPlan, LinkPlan, TransportName } from "../types.js";
import { PlanView } from "../view.js";
import { bridge } from "./bridge.js";
import { tap } from "./tap.js";
import type { CapturePoint, Transport } from "./types.js";
import { udp } from "./udp.js";
import { veth } from "./veth.js";
import { hub, relay, switchTransport } from "./wire.js";

export type {
  CapturePoint,
  KernelObject,
  NicBackend,
  Transport,
  VethEnd,
} from "./types.js";

const TRANSPORTS: {
  readonly [T in TransportName]: Transport<Extract<LinkPlan, { transport: T }>>;
} = {
  veth,
  bridge,
  udp,
  tap,
  hub: hub as Transport<Extract<LinkPlan, { transport: "hub" }>>,
  switch: switchTransport as Transport<Extract<LinkPlan, { transport: "switch" }>>,
  relay: relay as Transport<Extract<LinkPlan, { transport: "relay" }>>,
};

/** The transport of a transport name. */
export function transportNamed(name: TransportName): Transport {
  return TRANSPORTS[name] as unknown as Transport;
}

/** The transport that carries a planned link. */
export function transportOf<L extends LinkPlan>(link: L): Transport<L> {
  return TRANSPORTS[link.transport] as unknown as Transport<L>;
}

/**
 * Every port a lab needs, in a fixed order (so allocation is repeatable):
 * its links' (tunnel ends, daemon ports) in link order, then its nodes'.
 */
export function portRequests(plan: LabPlan): PortRequest[] {
  const view = new PlanView(plan);
  return [
    ...plan.links.flatMap((l) => transportOf(l).ports(l, view)),
    ...plan.nodes.flatMap((n) => specOf(n).ports(n)),
  ];
}

/** Whether the wire daemon carries the link. */
export function carriedByDaemon(link: LinkPlan): boolean {
  return transportOf(link).daemon;
}

/**
 * Where a node interface's frames can be watched: inside the node's own
 * namespace when its kind has one, else where its transport shows them in
 * the host.
 */
export function capturePointOf(view: PlanView, ep: EndpointPlan): CapturePoint {
  const namespace = view.namespace(ep.node);
  if (namespace !== undefined) return { type: "device", device: ep.ifname, namespace };
  return transportOf(view.linkOf(ep.node, ep.ifname)).hostCapture(
    view.linkOf(ep.node, ep.ifname),
    ep,
  );
}

/**
 * Where a whole link's frames can be watched: where its transport shows
 * the whole segment (a bridge, the daemon), else at its first end, which
 * sees both directions of a p2p link.
 *
 * @returns the point and the name to show (`LINK`, or `NODE:IFNAME` of the end used)
 */
export function linkCapturePointOf(
  view: PlanView,
  link: LinkPlan,
): { point: CapturePoint; name: string } {
  const whole = transportOf(link).linkCapture(link);
  if (whole) return { point: whole, name: link.name };
  const first = link.endpoints[0] as EndpointPlan;
  return { point: capturePointOf(view, first), name: `${first.node}:${first.ifname}` };
}
