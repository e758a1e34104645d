/**
 * The protocol stage of the planner: the lab model built from the decided
 * addresses, then each node's static routes, OSPF, IS-IS and BGP, in
 * netlab's order. What each decides for an interface is returned per node
 * and interface name, for the planner to put in the interface plans.
 */
import type { Diagnostic } from "../../errors.js";
import type { Topology } from "../../topology/types.js";
import type { LinkAddresses } from "../addresses.js";
import type { LinkFacts } from "../link-facts.js";
import { planBgp } from "./bgp.js";
import { planIsis } from "./isis.js";
import type { LabModel, ModelInterface, ModelNeighbor, ModelNode } from "./model.js";
import { planOspf } from "./ospf.js";
import { planStaticRoutes } from "./static.js";
import type { IsisInterfacePlan, OspfInterfacePlan, ProtocolsPlan } from "./types.js";

/** What the protocols decide for one interface. */
export interface InterfaceProtocols {
  ospf?: OspfInterfacePlan;
  isis?: IsisInterfacePlan;
  bgpAdvertise?: true;
  /** IPv6 turned on (link-local) for an unnumbered BGP session. */
  needsIpv6?: true;
}

/** The protocol stage's output. */
export interface ProtocolsResult {
  /** By node name; absent for nodes that run none. */
  readonly nodes: ReadonlyMap<string, ProtocolsPlan>;
  /** By node name, then interface name. */
  readonly interfaces: ReadonlyMap<string, ReadonlyMap<string, InterfaceProtocols>>;
}

/** What the planner knows when the protocols are decided. */
export interface ProtocolInput {
  readonly ids: readonly number[];
  readonly facts: readonly LinkFacts[];
  readonly addresses: readonly LinkAddresses[];
  readonly loopbacks: readonly { ipv4?: string; ipv6?: string }[];
  /** Interface names per link endpoint. */
  readonly ifnames: readonly (readonly string[])[];
}

/** Builds the lab model (nodes, their interfaces and neighbours in link order). */
export function buildModel(topology: Topology, input: ProtocolInput): LabModel {
  const perNode = new Map<string, ModelInterface[]>(topology.nodes.map((n) => [n.name, []]));
  topology.links.forEach((link, li) => {
    const addrs = input.addresses[li];
    link.endpoints.forEach((ep, ei) => {
      const mine = addrs?.endpoints[ei] ?? {};
      const neighbors: ModelNeighbor[] = link.endpoints.flatMap((other, oi) => {
        if (oi === ei) return [];
        const a = addrs?.endpoints[oi] ?? {};
        return [
          {
            node: other.node,
            ifname: input.ifnames[li]?.[oi] as string,
            endpoint: other,
            ...(a.ipv4 ? { ipv4: a.ipv4 } : {}),
            ...(a.ipv6 ? { ipv6: a.ipv6 } : {}),
            ...(a.unnumbered ? { unnumbered: a.unnumbered } : {}),
          },
        ];
      });
      const list = perNode.get(ep.node) as ModelInterface[];
      list.push({
        ifname: input.ifnames[li]?.[ei] as string,
        ifindex: list.length + 1,
        link,
        endpoint: ep,
        fact: input.facts[li] as LinkFacts,
        neighbors,
        ...(mine.ipv4 ? { ipv4: mine.ipv4 } : {}),
        ...(mine.ipv6 ? { ipv6: mine.ipv6 } : {}),
        ...(mine.unnumbered ? { unnumbered: mine.unnumbered } : {}),
      });
    });
  });
  const nodes: ModelNode[] = topology.nodes.map((node, i) => ({
    node,
    id: input.ids[i] as number,
    loopback: input.loopbacks[i] ?? {},
    interfaces: perNode.get(node.name) ?? [],
  }));
  return { nodes, byName: new Map(nodes.map((n) => [n.node.name, n])) };
}

/**
 * Decides every node's protocols.
 *
 * @param diagnostics - problems are appended here (paths of the topology)
 */
export function planProtocols(
  topology: Topology,
  model: LabModel,
  diagnostics: Diagnostic[],
): ProtocolsResult {
  const nodes = new Map<string, ProtocolsPlan>();
  const interfaces = new Map<string, Map<string, InterfaceProtocols>>();
  const intf = (node: string, ifname: string): InterfaceProtocols => {
    const m = interfaces.get(node) ?? new Map<string, InterfaceProtocols>();
    interfaces.set(node, m);
    const i = m.get(ifname) ?? {};
    m.set(ifname, i);
    return i;
  };
  const bgp = topology.modules.includes("bgp") ? planBgp(topology, model, diagnostics) : undefined;
  for (const n of model.nodes) {
    const name = n.node.name;
    const out: { -readonly [K in keyof ProtocolsPlan]: ProtocolsPlan[K] } = {};
    const statics = planStaticRoutes(topology, model, n, diagnostics);
    if (statics.length) out.static = statics;
    const ospf = planOspf(topology, model, n, diagnostics);
    if (ospf) {
      out.ospf = ospf.ospf;
      for (const [ifname, o] of ospf.interfaces) intf(name, ifname).ospf = o;
    }
    const isis = planIsis(topology, model, n, diagnostics);
    if (isis) {
      out.isis = isis.isis;
      for (const [ifname, o] of isis.interfaces) intf(name, ifname).isis = o;
    }
    const b = bgp?.nodes.get(name);
    if (b) {
      out.bgp = b;
      for (const ifname of bgp?.advertised.get(name) ?? []) intf(name, ifname).bgpAdvertise = true;
      for (const ifname of bgp?.needsIpv6.get(name) ?? []) intf(name, ifname).needsIpv6 = true;
    }
    if (Object.keys(out).length) nodes.set(name, out);
  }
  return { nodes, interfaces };
}
