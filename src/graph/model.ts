/**
 * A lab's picture as data, from its plan alone: nodes by kind and device,
 * p2p links labelled with both interface names and their subnet, each LAN
 * a node of its own (its transport: bridge, hub or switch) joined to its
 * members, every link's transport, impaired links marked, and tiers where
 * the topology has them. The renderers (`dot.ts`, `mermaid.ts`) and the
 * JSON output draw this; none of them reads the plan.
 */
import { deviceOf } from "../plan/devices/index.js";
import { carriedByDaemon } from "../plan/transports/index.js";
import type { LabPlan, LinkPlan, TransportName } from "../plan/types.js";

/** A node of the lab as drawn. */
export interface GraphNode {
  readonly id: string;
  readonly kind: "linux" | "vm";
  /** `frr` for routers, `linux` for hosts, or `none`. */
  readonly device: string;
  /** Its loopback addresses, for the label. */
  readonly loopback: readonly string[];
  /** Tier, 0 at the top, where the topology has tiers (see {@link tiersOf}). */
  readonly tier?: number;
}

/** A LAN as drawn: a node of its own. */
export interface GraphLan {
  readonly id: string;
  readonly transport: TransportName;
  readonly subnets: readonly string[];
  readonly impaired: boolean;
}

/** One edge: a p2p link between two nodes, or one member's port on a LAN. */
export interface GraphEdge {
  /** The link's name. */
  readonly link: string;
  readonly from: string;
  readonly to: string;
  /** Interface at `from`. */
  readonly fromIf: string;
  /** Interface at `to` (absent for a LAN port: `to` is the LAN). */
  readonly toIf?: string;
  /** Subnets of a p2p link (a LAN shows its own). */
  readonly subnets: readonly string[];
  readonly transport: TransportName;
  /** Carried by the wire daemon. */
  readonly daemon: boolean;
  /** Impairments planned on it (`impair:` in the file). */
  readonly impaired: boolean;
}

/** The whole picture. */
export interface LabGraph {
  readonly lab: string;
  readonly nodes: readonly GraphNode[];
  readonly lans: readonly GraphLan[];
  readonly edges: readonly GraphEdge[];
  /** Number of tiers (0 when the topology has none). */
  readonly tiers: number;
}

const subnetsOf = (l: LinkPlan) =>
  [l.subnets.ipv4, l.subnets.ipv6].filter((s): s is string => s !== undefined);
const impairedOf = (l: LinkPlan) =>
  l.endpoints.some((e) => (e as { impair?: unknown }).impair !== undefined);

/**
 * Tiers of a fabric: nodes named by a common stem and a number (`spine1`,
 * `leaf12`, `h3`) form groups; when every node is in a group of two or more
 * and there are at least two groups, each group is a tier, the group with
 * the most links per node on top (spines above leaves above hosts).
 *
 * @returns tier by node, or undefined when the topology has none
 */
export function tiersOf(plan: LabPlan): Map<string, number> | undefined {
  const stem = (name: string) => /^(.*?[^\d])\d+$/.exec(name)?.[1];
  const groups = new Map<string, string[]>();
  for (const n of plan.nodes) {
    const s = stem(n.name);
    if (s === undefined) return undefined;
    groups.set(s, [...(groups.get(s) ?? []), n.name]);
  }
  if (groups.size < 2 || [...groups.values()].some((g) => g.length < 2)) return undefined;
  const degree = new Map(plan.nodes.map((n) => [n.name, n.interfaces.length]));
  const mean = (g: readonly string[]) =>
    g.reduce((sum, n) => sum + (degree.get(n) ?? 0), 0) / g.length;
  const ordered = [...groups.values()].sort((a, b) => mean(b) - mean(a));
  return new Map(ordered.flatMap((g, i) => g.map((n) => [n, i] as const)));
}

/** The picture of a plan. */
export function labGraph(plan: LabPlan): LabGraph {
  const tiers = tiersOf(plan);
  const nodes = plan.nodes.map(
    (n): GraphNode => ({
      id: n.name,
      kind: n.kind,
      device: deviceOf(n).name,
      loopback: [n.loopback.ipv4, n.loopback.ipv6].filter((a): a is string => a !== undefined),
      ...(tiers?.has(n.name) ? { tier: tiers.get(n.name) as number } : {}),
    }),
  );
  const lans: GraphLan[] = [];
  const edges: GraphEdge[] = [];
  for (const l of plan.links) {
    const common = {
      link: l.name,
      transport: l.transport,
      daemon: carriedByDaemon(l),
      impaired: impairedOf(l),
    };
    if (l.type === "p2p") {
      const [a, b] = l.endpoints;
      if (!a || !b) continue;
      edges.push({
        ...common,
        from: a.node,
        to: b.node,
        fromIf: a.ifname,
        toIf: b.ifname,
        subnets: subnetsOf(l),
      });
      continue;
    }
    lans.push({
      id: l.name,
      transport: l.transport,
      subnets: subnetsOf(l),
      impaired: common.impaired,
    });
    for (const e of l.endpoints)
      edges.push({ ...common, from: e.node, to: l.name, fromIf: e.ifname, subnets: [] });
  }
  return { lab: plan.lab, nodes, lans, edges, tiers: tiers ? new Set(tiers.values()).size : 0 };
}
