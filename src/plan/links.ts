/**
 * Link transports and their kernel names (DESIGN.md, "Link transports"):
 *
 * | endpoints | transport |
 * |---|---|
 * | namespace ↔ namespace, p2p | vEth pair, ends directly in the two namespaces |
 * | VM ↔ VM, p2p | QEMU UDP unicast tunnel; `transport: tap` for two taps joined by tc mirred |
 * | VM ↔ namespace, p2p | the VM's tap and a vEth into the namespace, joined by tc mirred |
 * | LAN | Linux bridge in the lab namespace; a VM joins it by tap ↔ vEth (mirred) |
 */
import type { NodeKind, TopologyLink } from "../topology/types.js";
import { type Impairment, isImpaired, NO_IMPAIRMENT, parseImpairment } from "../wire/impairment.js";
import { hostVethName, tapName, type UniqueNames } from "./names.js";
import type { EndpointPlan, LinkPlan, PortPlan, TapEndpointPlan, WireLinkPlan } from "./types.js";

/** The transport a link gets: written, or the default for its endpoints. */
export function linkTransport(
  link: TopologyLink,
  kinds: ReadonlyMap<string, NodeKind>,
): LinkPlan["transport"] {
  if (link.transport === "hub" || link.transport === "switch") return link.transport;
  const vms = link.endpoints.filter((e) => kinds.get(e.node) === "vm").length;
  // Impairments are the wire daemon's: an impaired link is carried by it, whatever its ends.
  const impaired = link.impair !== undefined || link.endpoints.some((e) => e.impair !== undefined);
  if (link.type === "lan" || link.transport === "bridge") {
    if (link.transport === "bridge") return "bridge";
    // A LAN of VMs only is a hub by default: a bridge would swallow LLDP and BPDUs (seed 001).
    return impaired || vms === link.endpoints.length ? "hub" : "bridge";
  }
  if (link.relay || impaired) return "relay";
  if (link.transport === "tap") return "tap";
  if (vms === 0) return "veth";
  return vms === 2 ? "udp" : "tap";
}

/** Whether the wire daemon carries the link (hub, switch, relay). */
export function isWireLink(link: LinkPlan): link is WireLinkPlan {
  return link.transport === "hub" || link.transport === "switch" || link.transport === "relay";
}

/** Numbers a lab's objects in the host namespace. */
export class HostNames {
  private taps = 0;
  private veths = 0;
  constructor(private readonly lab: string) {}
  tap(): string {
    return tapName(this.lab, ++this.taps);
  }
  veth(): string {
    return hostVethName(this.lab, ++this.veths);
  }
}

/** What {@link buildLink} needs beyond the link itself. */
export interface LinkContext {
  readonly kinds: ReadonlyMap<string, NodeKind>;
  /** Lab namespace (for bridges). */
  readonly labNamespace: string;
  /** Names taken in the lab namespace (bridges first, then ports). */
  readonly labNames: UniqueNames;
  readonly hostNames: HostNames;
}

/**
 * @param link - the topology link
 * @param index - its position (for fallback names)
 * @param name - its planned name
 * @param subnets - its allocated subnets
 * @param endpoints - node and interface of each end
 * @param bridge - bridge name, for a bridged link
 */
export function buildLink(
  link: TopologyLink,
  index: number,
  name: string,
  subnets: { ipv4?: string; ipv6?: string },
  endpoints: readonly EndpointPlan[],
  bridge: string | undefined,
  ctx: LinkContext,
): LinkPlan {
  const isVm = (e: EndpointPlan) => ctx.kinds.get(e.node) === "vm";
  const transport = linkTransport(link, ctx.kinds);
  const pair = <T extends EndpointPlan>(list: T[]) => [list[0], list[1]] as [T, T];
  switch (transport) {
    case "veth":
      return { name, type: "p2p", transport, subnets, endpoints: pair([...endpoints]) };
    case "udp":
      return { name, type: "p2p", transport, subnets, endpoints: pair([...endpoints]) };
    case "tap": {
      const ends: TapEndpointPlan[] = endpoints.map((e) =>
        isVm(e) ? { ...e, tap: ctx.hostNames.tap() } : { ...e, hostVeth: ctx.hostNames.veth() },
      );
      return { name, type: "p2p", transport, subnets, endpoints: pair(ends) };
    }
    case "hub":
    case "switch":
    case "relay":
      return {
        name,
        type: link.type,
        transport,
        subnets,
        endpoints: endpoints.map((e) => {
          const impair = endpointImpairment(link, e);
          return {
            ...e,
            ...(impair ? { impair } : {}),
            ...(isVm(e) ? {} : { hostVeth: ctx.hostNames.veth() }),
          };
        }),
      };
    case "bridge": {
      const ports: PortPlan[] = endpoints.map((e, k) => ({
        ...e,
        port: ctx.labNames.take(`${e.node}-${e.interface}`, `l${index + 1}p${k + 1}`),
        ...(isVm(e) ? { tap: ctx.hostNames.tap(), hostVeth: ctx.hostNames.veth() } : {}),
      }));
      return {
        name,
        type: link.type,
        transport,
        subnets,
        namespace: ctx.labNamespace,
        bridge: bridge as string,
        endpoints: ports,
      };
    }
  }
}

/**
 * Pairs of host-namespace devices that tc mirred joins, both directions:
 * a VM's tap with the host end of a vEth, or two taps.
 */
export function mirredPairs(links: readonly LinkPlan[]): [string, string][] {
  const out: [string, string][] = [];
  for (const l of links) {
    if (l.transport === "tap") {
      const [a, b] = l.endpoints;
      out.push([(a.tap ?? a.hostVeth) as string, (b.tap ?? b.hostVeth) as string]);
    } else if (l.transport === "bridge") {
      for (const p of l.endpoints) if (p.tap && p.hostVeth) out.push([p.tap, p.hostVeth]);
    }
  }
  return out;
}

/**
 * Impairments of the frames endpoint `e` sends: the link's, overridden key
 * by key by the endpoint's own. Values were checked with the topology.
 *
 * @returns undefined when nothing is impaired
 */
function endpointImpairment(link: TopologyLink, e: EndpointPlan): Impairment | undefined {
  const own = link.endpoints.find((x) => x.node === e.node)?.impair;
  const base = link.impair ? parseImpairment(link.impair) : NO_IMPAIRMENT;
  const merged = own && !Array.isArray(base) ? parseImpairment(own, base) : base;
  return Array.isArray(merged) || !isImpaired(merged) ? undefined : merged;
}
