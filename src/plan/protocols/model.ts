/**
 * The lab as the protocol stages see it: each node with its ID, role,
 * modules and loopback, and each of its interfaces with its addresses, its
 * link's facts and its neighbours on the link (netlab's `interfaces[]` with
 * `neighbors[]`). Built once by the planner after addresses are decided.
 */
import type { TopologyEndpoint, TopologyLink, TopologyNode } from "../../topology/types.js";
import type { LinkFacts } from "../link-facts.js";

/** A neighbour on an interface's link. */
export interface ModelNeighbor {
  readonly node: string;
  readonly ifname: string;
  readonly ipv4?: string;
  readonly ipv6?: string;
  readonly unnumbered?: { readonly ipv4?: true; readonly ipv6?: true };
  /** The neighbour's own attachment, as written (its module attributes). */
  readonly endpoint: TopologyEndpoint;
}

/** One interface of a node. */
export interface ModelInterface {
  readonly ifname: string;
  /** 1-based position among the node's interfaces (netlab's `ifindex`). */
  readonly ifindex: number;
  readonly ipv4?: string;
  readonly ipv6?: string;
  readonly unnumbered?: { readonly ipv4?: true; readonly ipv6?: true };
  readonly link: TopologyLink;
  readonly endpoint: TopologyEndpoint;
  readonly fact: LinkFacts;
  readonly neighbors: readonly ModelNeighbor[];
}

/** One node. */
export interface ModelNode {
  readonly node: TopologyNode;
  readonly id: number;
  readonly loopback: { readonly ipv4?: string; readonly ipv6?: string };
  readonly interfaces: readonly ModelInterface[];
}

/** The lab. */
export interface LabModel {
  readonly nodes: readonly ModelNode[];
  readonly byName: ReadonlyMap<string, ModelNode>;
}

/** Whether an interface carries an address family (a real address, or unnumbered/link-local). */
export function hasFamily(
  i: { ipv4?: string; ipv6?: string; unnumbered?: { ipv4?: true; ipv6?: true } },
  af: "ipv4" | "ipv6",
): boolean {
  return i[af] !== undefined || i.unnumbered?.[af] === true;
}

/** A node's families: those of its loopback and interfaces (netlab's `node.af`). */
export function nodeFamilies(n: ModelNode): { ipv4?: true; ipv6?: true } {
  const out: { ipv4?: true; ipv6?: true } = {};
  for (const af of ["ipv4", "ipv6"] as const)
    if (n.loopback[af] || n.interfaces.some((i) => hasFamily(i, af))) out[af] = true;
  return out;
}
