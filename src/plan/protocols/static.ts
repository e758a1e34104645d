/**
 * Static routes of the routing module (netlab docs, "Generic Routing
 * Configuration Module", Static Routes; netlab's `modules/routing/static.py`)
 * and netlab's routes of hosts (netlab's `roles/host.py`): a host that
 * writes none gets a route to every address pool through the first router
 * on each of its links (IPv6 comes from the routers' advertisements).
 *
 * A route's prefix: `ipv4`/`ipv6`, a `pool`'s, a named `prefix`'s, or a
 * `node`'s control-plane endpoint (its loopback, else its first
 * interface). Its next hop: an address, a `node` (its addresses on every
 * link to it; else, not adjacent, its control-plane endpoint), the
 * `gateway` (the first router on each link), or a `discard`. Lists under
 * `routing.static.NAME` are taken in with `include`.
 */

import type { Diagnostic } from "../../errors.js";
import { contains, networkOf, parseCidr, stripLength } from "../../ip.js";
import type { StaticRouteInput } from "../../topology/modules/routing.js";
import { didYouMean } from "../../topology/suggest.js";
import type { SourcePath, Topology } from "../../topology/types.js";
import { poolNamed } from "../addresses.js";
import type { LabModel, ModelNode } from "./model.js";
import type { StaticRoutePlan } from "./types.js";

type Family = "ipv4" | "ipv6";
const FAMILIES: readonly Family[] = ["ipv4", "ipv6"];

/** An entry with where it is written, and whether it may be dropped when a family has no next hop. */
interface Entry {
  readonly route: StaticRouteInput;
  readonly path: SourcePath;
  readonly skipMissing?: boolean;
}

/**
 * The static routes of a node: its `routing.static`, or a host's routes to
 * the pools when it writes none (netlab's files only).
 *
 * @param diagnostics - routes without a usable prefix or next hop are reported here
 */
export function planStaticRoutes(
  topology: Topology,
  model: LabModel,
  n: ModelNode,
  diagnostics: Diagnostic[],
): StaticRoutePlan[] {
  const written = n.node.routing?.static;
  let entries: Entry[];
  if (written && n.node.modules.includes("routing")) {
    entries = expandIncludes(topology, written, [...n.node.path, "routing", "static"], diagnostics);
  } else if (topology.format === "netlab" && n.node.role === "host") {
    entries = hostRoutes(topology);
  } else return [];
  const out: StaticRoutePlan[] = [];
  for (const e of entries) out.push(...resolve(topology, model, n, e, diagnostics));
  return out;
}

/** netlab's host routes: every pool's IPv4 prefix through the gateway, dropped where there is none. */
function hostRoutes(topology: Topology): Entry[] {
  const a = topology.addressing;
  const pools = { loopback: a.loopback, lan: a.lan, p2p: a.p2p, ...a.extra };
  const out: Entry[] = [];
  for (const pool of Object.values(pools)) {
    if (typeof pool.ipv4 !== "string") continue;
    out.push({
      route: { ipv4: pool.ipv4, nexthop: { gateway: true } },
      path: [],
      skipMissing: true,
    });
  }
  return out;
}

function expandIncludes(
  topology: Topology,
  list: readonly StaticRouteInput[],
  path: SourcePath,
  diagnostics: Diagnostic[],
  depth = 0,
): Entry[] {
  const out: Entry[] = [];
  list.forEach((r, i) => {
    const at = [...path, i];
    if (r.include === undefined) {
      out.push({ route: r, path: at });
      return;
    }
    const included = topology.staticRoutes[r.include];
    if (!included) {
      diagnostics.push({
        code: "bad-value",
        message: `static routes include "${r.include}", which is not a list under the topology's routing.static${Object.keys(topology.staticRoutes).length ? ` (it has ${Object.keys(topology.staticRoutes).join(", ")})` : ""}`,
        path: [...at, "include"],
      });
      return;
    }
    if (depth > 20) {
      diagnostics.push({
        code: "bad-value",
        message: `static route lists include each other in a loop (at "${r.include}")`,
        path: [...at, "include"],
      });
      return;
    }
    const withNexthop = included.map((x) => (r.nexthop ? { ...x, nexthop: r.nexthop } : x));
    out.push(
      ...expandIncludes(
        topology,
        withNexthop,
        ["routing", "static", r.include],
        diagnostics,
        depth + 1,
      ),
    );
  });
  return out;
}

/** The prefixes a node's control plane is reached at: its loopback, else its first interface's. */
function controlPlane(n: ModelNode): { ipv4?: string; ipv6?: string } {
  if ((n.loopback.ipv4 || n.loopback.ipv6) && n.node.role !== "host") return n.loopback;
  const external = n.interfaces.find((i) => i.fact.role === "external");
  const internal = n.interfaces.find((i) => i.fact.role !== "external");
  const i = internal ?? external;
  return i
    ? {
        ...(i.ipv4 && !i.unnumbered?.ipv4 ? { ipv4: i.ipv4 } : {}),
        ...(i.ipv6 && !i.unnumbered?.ipv6 ? { ipv6: i.ipv6 } : {}),
      }
    : {};
}

function resolve(
  topology: Topology,
  model: LabModel,
  n: ModelNode,
  e: Entry,
  diagnostics: Diagnostic[],
): StaticRoutePlan[] {
  const r = e.route;
  const problem = (message: string, key?: string): StaticRoutePlan[] => {
    diagnostics.push({
      code: "bad-route",
      message: `static route of "${n.node.name}": ${message}`,
      path: key ? [...e.path, key] : e.path,
    });
    return [];
  };

  const prefixes: { ipv4?: string; ipv6?: string } = {};
  for (const af of FAMILIES) if (r[af]) prefixes[af] = network(r[af] as string);
  if (r.pool !== undefined) {
    const pool = poolNamed(topology, r.pool);
    if (!pool) return problem(`pool "${r.pool}" is not an address pool`, "pool");
    for (const af of FAMILIES) if (typeof pool[af] === "string") prefixes[af] = pool[af] as string;
  } else if (r.prefix !== undefined) {
    const p = topology.prefixes[r.prefix];
    if (!p) return problem(`"${r.prefix}" is not a named prefix`, "prefix");
    for (const af of FAMILIES) if (p[af]) prefixes[af] = network(p[af] as string);
  } else if (r.node !== undefined) {
    const target = model.byName.get(r.node);
    if (!target)
      return problem(`"${r.node}" is not a node${didYouMean(r.node, model.byName.keys())}`, "node");
    const cp = controlPlane(target);
    for (const af of FAMILIES) if (cp[af]) prefixes[af] = network(cp[af] as string);
  }
  if (!prefixes.ipv4 && !prefixes.ipv6)
    return problem("it has no IPv4 or IPv6 prefix (give ipv4, ipv6, pool, prefix or node)");
  const nh = r.nexthop;
  if (nh?.node !== undefined && !model.byName.has(nh.node))
    return problem(
      `next hop "${nh.node}" is not a node${didYouMean(nh.node, model.byName.keys())}`,
      "nexthop",
    );
  if (!nh) {
    if (!e.skipMissing) problem("it has no next hop (nexthop)");
    return [];
  }
  const out: StaticRoutePlan[] = [];
  for (const af of FAMILIES) {
    const prefix = prefixes[af];
    if (!prefix) continue;
    const hops = nexthops(model, n, nh, af);
    if (hops === "discard") {
      if (n.node.device !== "frr") {
        problem(`discard routes are FRR's; "${n.node.name}" is a ${n.node.device} node`, "nexthop");
        continue;
      }
      out.push({ family: af, prefix, nexthop: { discard: true } });
      continue;
    }
    if (hops.length === 0) {
      if (!e.skipMissing)
        problem(
          `no ${af} next hop for ${prefix}${nh.node ? ` through "${nh.node}"` : nh.gateway ? " (no router with an address on its links)" : ""}`,
          "nexthop",
        );
      continue;
    }
    for (const h of hops) out.push({ family: af, prefix, nexthop: h });
  }
  return out;
}

const network = (p: string): string => {
  const c = parseCidr(p);
  return c ? networkOf(c) : p;
};

/** The next hops of a route in one family: addresses (with the interface when adjacent), or a discard. */
function nexthops(
  model: LabModel,
  n: ModelNode,
  nh: NonNullable<StaticRouteInput["nexthop"]>,
  af: Family,
): { via: string; dev?: string }[] | "discard" {
  if (nh.discard) return "discard";
  if (nh.node !== undefined) {
    const direct = n.interfaces.flatMap((i) =>
      i.neighbors
        .filter((nb) => nb.node === nh.node && nb[af] && !nb.unnumbered?.[af])
        .map((nb) => ({ via: stripLength(nb[af] as string), dev: i.ifname })),
    );
    if (direct.length) return direct;
    const target = model.byName.get(nh.node);
    const cp = target ? controlPlane(target)[af] : undefined;
    return cp ? [{ via: stripLength(cp) }] : [];
  }
  if (nh.gateway) {
    const out: { via: string; dev: string }[] = [];
    for (const i of n.interfaces) {
      const gw = i.neighbors.find(
        (nb) => model.byName.get(nb.node)?.node.role === "router" && nb[af] && !nb.unnumbered?.[af],
      );
      if (gw) out.push({ via: stripLength(gw[af] as string), dev: i.ifname });
    }
    return out;
  }
  const via = nh[af];
  if (!via) return [];
  const a = parseCidr(`${via}/${af === "ipv4" ? 32 : 128}`);
  const on = n.interfaces.find((i) => {
    const c = i[af] && !i.unnumbered?.[af] ? parseCidr(i[af] as string) : undefined;
    return c && a && contains(c, a.value);
  });
  return [{ via, ...(on ? { dev: on.ifname } : {}) }];
}
