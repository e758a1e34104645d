/**
 * A plan described for people: each node with where it lives, each link
 * with what carries it and the objects of each end, as the node's kind and
 * the link's transport name them. `wirelab plan` prints this.
 */
import { kindSpec, namespaceOf } from "./kinds/index.js";
import { transportOf } from "./transports/index.js";
import type { LabPlan } from "./types.js";

/** A node, described. */
export interface NodeDescription {
  readonly name: string;
  readonly kind: string;
  /** Where it lives, e.g. `namespace wl-lab-h1`, when its kind says. */
  readonly where?: string;
}

/** A link, described. */
export interface LinkDescription {
  readonly name: string;
  readonly type: "p2p" | "lan";
  /** What carries it, e.g. `veth`, `bridge br1`. */
  readonly transport: string;
  readonly endpoints: readonly {
    readonly node: string;
    readonly ifname: string;
    /** Objects that carry the end, e.g. `port h1-eth1`, `tap wl1a2b3t1`. */
    readonly objects: readonly string[];
  }[];
}

/** @returns every node and link of the plan, described, in plan order */
export function describePlan(plan: LabPlan): {
  nodes: NodeDescription[];
  links: LinkDescription[];
} {
  return {
    nodes: plan.nodes.map((n) => {
      const ns = namespaceOf(n);
      return {
        name: n.name,
        kind: kindSpec(n.kind).name,
        ...(ns ? { where: `namespace ${ns}` } : {}),
      };
    }),
    links: plan.links.map((l) => {
      const t = transportOf(l);
      return {
        name: l.name,
        type: l.type,
        transport: t.label(l),
        endpoints: l.endpoints.map((e) => ({
          node: e.node,
          ifname: e.ifname,
          objects: t.endpointObjects(l, e),
        })),
      };
    }),
  };
}
