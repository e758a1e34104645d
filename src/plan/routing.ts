/**
 * `routing: static`: routes on every node to every prefix of the lab (link
 * subnets and loopbacks) along shortest paths in hops, with every
 * equal-cost next hop (ECMP). A node set to `forwarding: false` is never
 * used as transit; nodes that carry transit traffic get forwarding on.
 */
import { type Family, stripLength } from "../ip.js";
import type { NextHop, RoutePlan } from "./types.js";

/** What routing needs to know of a node. */
export interface RoutingNode {
  readonly name: string;
  /** Explicit forwarding setting, if any. */
  readonly forwarding?: boolean;
  readonly loopback: { readonly ipv4?: string; readonly ipv6?: string };
  readonly interfaces: readonly {
    readonly ifname: string;
    readonly link: string;
    readonly ipv4?: string;
    readonly ipv6?: string;
  }[];
}

/** Result of {@link computeStaticRoutes}. */
export interface RoutingResult {
  /** Routes per node name. */
  readonly routes: ReadonlyMap<string, RoutePlan[]>;
  /** Nodes that are next hops of some route (need forwarding). */
  readonly transit: ReadonlySet<string>;
}

interface Edge {
  readonly to: number;
  readonly via: string;
  readonly dev: string;
}

/**
 * @param nodes - nodes with their addressed interfaces
 * @param links - link names with their subnets, in plan order
 */
export function computeStaticRoutes(
  nodes: readonly RoutingNode[],
  links: readonly {
    readonly name: string;
    readonly subnets: { readonly ipv4?: string; readonly ipv6?: string };
  }[],
): RoutingResult {
  const routes = new Map<string, RoutePlan[]>(nodes.map((n) => [n.name, []]));
  const transit = new Set<string>();
  for (const family of ["ipv4", "ipv6"] as const) {
    const edges = buildEdges(nodes, family);
    // Destinations: each link subnet (owned by nodes on the link) and each loopback.
    const dests: { prefix: string; owners: number[]; loopback: boolean }[] = [];
    for (const link of links) {
      const subnet = link.subnets[family];
      if (!subnet) continue;
      const owners = nodes.flatMap((n, i) =>
        n.interfaces.some((f) => f.link === link.name && f[family]) ? [i] : [],
      );
      dests.push({ prefix: subnet, owners, loopback: false });
    }
    nodes.forEach((n, i) => {
      const lo = n.loopback[family];
      if (lo) dests.push({ prefix: lo, owners: [i], loopback: true });
    });
    for (const dest of dests) {
      const dist = distances(nodes, edges, dest.owners);
      nodes.forEach((node, s) => {
        const d = dist[s] ?? -1;
        if (d <= 0) return; // owner, or unreachable
        const hops: NextHop[] = [];
        for (const e of edges[s] ?? []) {
          const dn = dist[e.to] ?? -1;
          if (dn === d - 1 && (dn === 0 || canForward(nodes[e.to])))
            hops.push({ via: e.via, dev: e.dev });
        }
        if (hops.length === 0) return;
        hops.sort((a, b) => a.dev.localeCompare(b.dev, "en") || a.via.localeCompare(b.via, "en"));
        const unique = hops.filter(
          (h, k) => k === 0 || h.via !== hops[k - 1]?.via || h.dev !== hops[k - 1]?.dev,
        );
        routes.get(node.name)?.push({ prefix: dest.prefix, nexthops: unique, origin: "routing" });
        // A next hop forwards unless the destination is its own loopback.
        for (const h of unique) {
          const next = (edges[s] ?? []).find((e) => e.via === h.via && e.dev === h.dev);
          if (next && (!dest.loopback || (dist[next.to] ?? 0) > 0))
            transit.add(nodes[next.to]?.name ?? "");
        }
      });
    }
  }
  return { routes, transit };
}

function canForward(node: RoutingNode | undefined): boolean {
  return node !== undefined && node.forwarding !== false;
}

/** Edges s → t for every pair of nodes sharing a link where t has an address of `family`. */
function buildEdges(nodes: readonly RoutingNode[], family: Family): Edge[][] {
  const byLink = new Map<string, { node: number; dev: string; addr?: string }[]>();
  nodes.forEach((n, i) => {
    for (const f of n.interfaces) {
      const list = byLink.get(f.link) ?? [];
      const addr = f[family];
      list.push({ node: i, dev: f.ifname, ...(addr ? { addr } : {}) });
      byLink.set(f.link, list);
    }
  });
  const edges: Edge[][] = nodes.map(() => []);
  for (const members of byLink.values()) {
    for (const a of members) {
      if (!a.addr) continue;
      for (const b of members) {
        if (b.node === a.node || !b.addr) continue;
        edges[a.node]?.push({ to: b.node, via: stripLength(b.addr), dev: a.dev });
      }
    }
  }
  return edges;
}

/** Hops from each node to the nearest owner, through nodes allowed to forward; -1 when unreachable. */
function distances(
  nodes: readonly RoutingNode[],
  edges: readonly Edge[][],
  owners: readonly number[],
): number[] {
  // Reverse adjacency: who can send to whom.
  const reverse: number[][] = nodes.map(() => []);
  edges.forEach((list, s) => {
    for (const e of list) reverse[e.to]?.push(s);
  });
  const dist = nodes.map(() => -1);
  const queue: number[] = [];
  for (const o of owners) {
    dist[o] = 0;
    queue.push(o);
  }
  for (let head = 0; head < queue.length; head++) {
    const x = queue[head] as number;
    const dx = dist[x] as number;
    if (dx > 0 && !canForward(nodes[x])) continue;
    for (const s of reverse[x] ?? []) {
      if (dist[s] === -1) {
        dist[s] = dx + 1;
        queue.push(s);
      }
    }
  }
  return dist;
}
