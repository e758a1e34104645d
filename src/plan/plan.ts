/**
 * The planner: a validated {@link Topology} in, a {@link LabPlan} out. Pure
 * and deterministic: the same topology always gives a byte-identical plan.
 * Stages, each adding to one list of diagnostics: transports (the table),
 * addresses, clashes, names, kinds, routes, tests.
 */
import { type Diagnostic, TopologyError } from "../errors.js";
import { contains, parseAddress, parseCidr, stripLength } from "../ip.js";
import type { NetlabTest, Topology, TopologyLink } from "../topology/types.js";
import { allocateAddresses } from "./addresses.js";
import { findClashes } from "./clashes.js";
import { deviceSpec } from "./devices/index.js";
import { frrConfig } from "./frr/config.js";
import { checkAttributes, kindSpec } from "./kinds/index.js";
import { type LinkFacts, linkFacts } from "./link-facts.js";
import { MAX_MAC_INDEX } from "./mac.js";
import { labNamespace, UniqueNames } from "./names.js";
import { assignNodeIds } from "./node-ids.js";
import { buildModel, planProtocols } from "./protocols/index.js";
import type { StaticRoutePlan } from "./protocols/types.js";
import { computeStaticRoutes } from "./routing.js";
import { HostNames, Sticky } from "./sticky.js";
import { transportNamed } from "./transports/index.js";
import { type ResolvedLink, resolveTransport } from "./transports/table.js";
import type { BuildContext } from "./transports/types.js";
import {
  type CheckPlan,
  type InterfacePlan,
  type LabPlan,
  type LinkPlan,
  type NodePlan,
  PLAN_VERSION,
  type RoutePlan,
  type TestPlan,
} from "./types.js";

/** Options of {@link planTopology}. */
export interface PlanOptions {
  /**
   * The topology lost parts to earlier problems (a dropped link or node):
   * leave out findings such a loss can cause (routes whose gateway is on no
   * subnet, tests of nodes without addresses, exhausted pools).
   * @default false
   */
  readonly incomplete?: boolean;
  /**
   * The plan the lab runs, when it runs: interfaces, taps and vEth host
   * ends it still has keep their names and MACs (`sticky.ts`).
   */
  readonly previous?: LabPlan;
}

/**
 * Plans a topology, appending every problem to `diagnostics` (unlocated:
 * paths only).
 *
 * @param topology - a validated topology (from `parseTopologyPartial`)
 * @param diagnostics - problems are appended here
 * @returns the plan, or undefined when there were problems
 */
export function planTopology(
  topology: Topology,
  diagnostics: Diagnostic[],
  options: PlanOptions = {},
): LabPlan | undefined {
  const found: Diagnostic[] = [];
  // Findings a dropped link or node can cause are kept only for a complete topology.
  const cascading: Diagnostic[] = [];
  checkSize(topology, found);
  if (found.length > 0) {
    diagnostics.push(...found);
    return undefined;
  }
  for (const n of topology.nodes) checkAttributes(n, found);
  const ids = assignNodeIds(topology, found);
  const kinds = new Map(topology.nodes.map((n) => [n.name, n.kind]));
  const attaches = (node: string) => kindSpec(kinds.get(node) ?? "linux").attaches;
  // netlab's rule (a host on a link makes it a LAN) is what the transport table sees as written.
  const ruled = linkFacts(topology);
  const resolved = topology.links.map((l, i) =>
    resolveTransport(
      {
        ...l,
        ...(l.type === undefined && ruled[i]?.type === "lan" ? { type: "lan" as const } : {}),
      },
      attaches,
      found,
    ),
  );
  // A link's type is then what carries it (a bridge makes a LAN of two), a stub network if it has one node.
  const facts = ruled.map(
    (f, i): LinkFacts => ({
      ...f,
      type: f.type === "stub" ? "stub" : (resolved[i] as ResolvedLink).type,
    }),
  );
  const typed: Topology = {
    ...topology,
    links: topology.links.map((l, i) => ({ ...l, type: (facts[i] as LinkFacts).type })),
  };
  const allocated: Diagnostic[] = [];
  const alloc = allocateAddresses(typed, facts, ids, allocated);
  // An address outside its link's prefix is the file's; an exhausted pool may come of a dropped link.
  for (const d of allocated) (d.code === "pool-exhausted" ? cascading : found).push(d);
  findClashes(typed, alloc.links, alloc.loopbacks, found);
  const sticky = new Sticky(topology.name, options.previous, topology.nodes.length);
  const linkNames = assignLinkNames(typed.links, sticky);
  const ifnames = assignInterfaceNames(typed, linkNames, sticky);
  sticky.keep(
    new Set(
      typed.links.flatMap((l, li) => l.endpoints.map((e, ei) => `${e.node}:${ifnames[li]?.[ei]}`)),
    ),
  );

  // Routing protocols, from the decided addresses.
  const model = buildModel(typed, {
    ids,
    facts,
    addresses: alloc.links,
    loopbacks: alloc.loopbacks,
    ifnames,
  });
  const protocols = planProtocols(typed, model, found);

  const ctx: BuildContext = {
    attaches,
    labNamespace: labNamespace(topology.name),
    labNames: new UniqueNames(),
    hostNames: new HostNames(topology.name, sticky),
  };
  const ifaces = new Map<string, InterfacePlan[]>(topology.nodes.map((n) => [n.name, []]));
  const nodeIndex = new Map(topology.nodes.map((n, i) => [n.name, i + 1]));
  const byName = new Map(topology.nodes.map((n) => [n.name, n]));
  const inputs = typed.links.map((link, li) => ({
    link,
    index: li,
    name: linkNames[li] as string,
    type: (resolved[li] as ResolvedLink).type,
    subnets: { ...(alloc.links[li]?.subnets ?? {}) },
    endpoints: link.endpoints.map((ep, ei) => ({
      node: ep.node,
      ifname: ifnames[li]?.[ei] as string,
    })),
  }));
  // Names a transport needs in the lab namespace (bridges) are taken before any port's.
  const labNames = inputs.map((input, li) => {
    const want = transportNamed((resolved[li] as ResolvedLink).transport).labName?.(input);
    return want ? ctx.labNames.take(want.preferred, want.fallback) : undefined;
  });
  const links: LinkPlan[] = inputs.map((input, li) => {
    const addrs = alloc.links[li];
    const fact = facts[li] as LinkFacts;
    input.endpoints.forEach((ep, ei) => {
      const list = ifaces.get(ep.node) as InterfacePlan[];
      const a = addrs?.endpoints[ei] ?? {};
      const other = input.type === "p2p" ? input.endpoints[1 - ei] : undefined;
      const written = input.link.endpoints[ei] as TopologyLink["endpoints"][number];
      const node = byName.get(ep.node) as Topology["nodes"][number];
      const proto = protocols.interfaces.get(ep.node)?.get(ep.ifname);
      const mtu = written.mtu ?? input.link.mtu ?? node.mtu;
      const bandwidth = written.bandwidth ?? input.link.bandwidth;
      const shutdown = written.shutdown ?? input.link.shutdown;
      const description = interfaceDescription(topology, input.link, ei);
      const unnumbered = { ...a.unnumbered, ...(proto?.needsIpv6 ? { ipv6: true as const } : {}) };
      list.push({
        ifname: ep.ifname,
        mac: sticky.mac(ep.node, ep.ifname, nodeIndex.get(ep.node) as number, list.length + 1),
        link: input.name,
        ...(a.ipv4 ? { ipv4: a.ipv4 } : {}),
        ...(a.ipv6 ? { ipv6: a.ipv6 } : {}),
        ...(other ? { peer: `${other.node}:${other.ifname}` } : {}),
        ...(mtu !== undefined ? { mtu } : {}),
        ...(shutdown ? { shutdown: true as const } : {}),
        ...(bandwidth !== undefined ? { bandwidth } : {}),
        ...(description !== undefined ? { description } : {}),
        ...(Object.keys(unnumbered).length ? { unnumbered } : {}),
        // netlab's files show a link's role (as netlab's interface descriptions do), and a written role is shown.
        ...(fact.role !== undefined &&
        (topology.format === "netlab" || input.link.role !== undefined)
          ? { role: fact.role }
          : {}),
        ...(proto?.ospf ? { ospf: proto.ospf } : {}),
        ...(proto?.isis ? { isis: proto.isis } : {}),
        ...(proto?.bgpAdvertise ? { bgpAdvertise: true as const } : {}),
        ...(input.link.ra && node.role === "router" ? { ra: input.link.ra } : {}),
      });
    });
    const labName = labNames[li];
    return transportNamed((resolved[li] as ResolvedLink).transport).build(
      { ...input, ...(labName !== undefined ? { labName } : {}) },
      ctx,
    );
  });

  const staticRoutes = new Map<string, RoutePlan[]>();
  for (const node of topology.nodes) {
    const written = writtenRoutes(node, ifaces.get(node.name) ?? [], cascading);
    // The routing module's routes of a host are the kernel's; a router's are FRR's (frr.conf).
    const module =
      node.device === "frr"
        ? []
        : kernelRoutes(protocols.nodes.get(node.name)?.static ?? [], written);
    staticRoutes.set(node.name, [...written, ...module]);
  }

  const loopbacks = (i: number): NodePlan["loopback"] => alloc.loopbacks[i] ?? {};
  const routing =
    topology.routing === "static"
      ? computeStaticRoutes(
          topology.nodes.map((n, i) => ({
            name: n.name,
            loopback: loopbacks(i),
            interfaces: ifaces.get(n.name) ?? [],
            ...(n.forwarding !== undefined ? { forwarding: n.forwarding } : {}),
          })),
          links,
        )
      : undefined;

  const nodes = topology.nodes.map((n, i): NodePlan => {
    const own = staticRoutes.get(n.name) ?? [];
    const computed = (routing?.routes.get(n.name) ?? []).filter(
      (r) => !own.some((o) => o.prefix === r.prefix),
    );
    const device = deviceSpec(n.device);
    const proto = protocols.nodes.get(n.name);
    const plan = {
      name: n.name,
      kind: n.kind,
      ...kindSpec(n.kind).plan(
        n,
        {
          lab: topology.name,
          index: i + 1,
          managementMac: sticky.mac(n.name, undefined, i + 1, 0),
        },
        found,
      ),
      device: device.plan(n, found),
      forwarding: n.forwarding ?? (device.forwards || (routing?.transit.has(n.name) ?? false)),
      loopback: loopbacks(i),
      interfaces: ifaces.get(n.name) ?? [],
      routes: [...own, ...computed],
      ...(n.exec ? { exec: n.exec } : {}),
      ...(topology.format === "netlab" || n.id !== undefined ? { id: ids[i] as number } : {}),
      ...(topology.format === "netlab" || n.modules.length || n.written.includes("role")
        ? { role: n.role }
        : {}),
      ...(n.modules.length ? { modules: n.modules } : {}),
      ...(proto ? { protocols: proto } : {}),
    } as unknown as NodePlan;
    // netlab's routers (and any that runs modules) get their configuration made from the topology.
    if (plan.device?.name === "frr" && (topology.format === "netlab" || n.modules.length))
      return { ...plan, device: { ...plan.device, generated: frrConfig(plan) } } as NodePlan;
    return plan;
  });

  const tests = resolveTests(topology, nodes, cascading);
  diagnostics.push(...found, ...(options.incomplete ? [] : cascading));
  if (found.length > 0 || cascading.length > 0) return undefined;
  const needsLabNs = links.some((l) => transportNamed(l.transport).needsLabNamespace);
  return {
    version: PLAN_VERSION,
    lab: topology.name,
    ...(topology.format === "netlab" ? { format: "netlab" as const } : {}),
    ...(topology.message !== undefined ? { message: topology.message } : {}),
    ...(needsLabNs ? { labNamespace: ctx.labNamespace } : {}),
    nodes,
    links,
    tests,
    ...(topology.checks.length ? { checks: topology.checks.map(checkPlan) } : {}),
    ...(Object.keys(alloc.named).length ? { prefixes: alloc.named } : {}),
  };
}

/** A netlab test as the plan keeps it (without its place in the file). */
function checkPlan(c: NetlabTest): CheckPlan {
  const { path: _path, ...rest } = c;
  return rest;
}

/**
 * An interface's description (netlab's interface name): the link's
 * `description` (netlab's link name), else, in netlab's files, `a -> b`,
 * `a -> [b,c,d]` (five at most) or `a -> stub`.
 */
function interfaceDescription(
  topology: Topology,
  link: TopologyLink,
  ei: number,
): string | undefined {
  const own = link.endpoints[ei]?.description;
  if (own !== undefined) return own;
  if (link.description !== undefined) return link.description;
  if (topology.format !== "netlab") return undefined;
  const me = link.endpoints[ei]?.node as string;
  const others = link.endpoints.filter((_, i) => i !== ei).map((e) => e.node);
  if (others.length === 0) return `${me} -> stub`;
  if (others.length === 1) return `${me} -> ${others[0]}`;
  return `${me} -> [${others.slice(0, 5).join(",")}${others.length > 5 ? "..." : ""}]`;
}

/**
 * The routing module's routes of a host as kernel routes: those through an
 * adjacent next hop (netlab's Linux hosts take only those), several next
 * hops of one prefix as one ECMP route; written routes win.
 */
function kernelRoutes(
  routes: readonly StaticRoutePlan[],
  written: readonly RoutePlan[],
): RoutePlan[] {
  const byPrefix = new Map<string, { via: string; dev: string }[]>();
  for (const r of routes) {
    if (!r.nexthop.via || !r.nexthop.dev) continue;
    if (written.some((w) => w.prefix === r.prefix)) continue;
    const list = byPrefix.get(r.prefix) ?? [];
    if (!list.some((h) => h.via === r.nexthop.via && h.dev === r.nexthop.dev))
      list.push({ via: r.nexthop.via, dev: r.nexthop.dev });
    byPrefix.set(r.prefix, list);
  }
  return [...byPrefix].map(([prefix, nexthops]) => ({
    prefix,
    nexthops,
    origin: "static" as const,
  }));
}

/**
 * Decides every name, MAC, address, route and transport of a lab.
 *
 * @param topology - a validated topology (from `parseTopology`)
 * @returns the plan
 * @throws {TopologyError} with unlocated diagnostics (paths only) for address
 *   clashes, exhausted pools, transports that cannot carry their link and
 *   routes whose gateway is on no subnet of the node; `loadAndPlan` locates
 *   them in the file
 */
export function planLab(topology: Topology): LabPlan {
  const diagnostics: Diagnostic[] = [];
  const plan = planTopology(topology, diagnostics);
  if (!plan) throw new TopologyError(diagnostics);
  return plan;
}

/** A node's written routes, each through the interface whose subnet holds its gateway. */
function writtenRoutes(
  node: Topology["nodes"][number],
  interfaces: readonly InterfacePlan[],
  diagnostics: Diagnostic[],
): RoutePlan[] {
  const list: RoutePlan[] = [];
  for (const r of node.routes) {
    const gw = parseAddress(r.via);
    const dev = interfaces.find((f) => {
      const c = parseCidr((gw?.family === "ipv6" ? f.ipv6 : f.ipv4) ?? "");
      return (
        c !== undefined &&
        gw !== undefined &&
        contains(c, gw.value) &&
        stripLength(f.ipv4 ?? "") !== r.via
      );
    });
    if (!dev) {
      const subnets = interfaces.flatMap((f) => [f.ipv4, f.ipv6].filter((x): x is string => !!x));
      diagnostics.push({
        code: "bad-route",
        message: `route to ${r.prefix} via ${r.via}: the gateway is on no subnet of "${node.name}" (its addresses: ${subnets.join(", ") || "none"}); use a neighbour's address`,
        path: [...r.path, "via"],
      });
      continue;
    }
    list.push({ prefix: r.prefix, nexthops: [{ via: r.via, dev: dev.ifname }], origin: "static" });
  }
  return list;
}

/**
 * Interface names per link endpoint: explicit ones, else the one it has in
 * the running lab (`sticky`), else the lowest free `ethN` (N ≥ 1) in link order.
 */
function assignInterfaceNames(
  topology: Topology,
  linkNames: readonly string[],
  sticky: Sticky,
): string[][] {
  const used = new Map<string, Set<string>>();
  const take = (node: string, ifname: string) =>
    (used.get(node) ?? used.set(node, new Set()).get(node))?.add(ifname);
  for (const link of topology.links) {
    for (const ep of link.endpoints) if (ep.ifname) take(ep.node, ep.ifname);
  }
  // Names the running lab gives endpoints that stay, unless written elsewhere.
  const kept = topology.links.map((link, li) => {
    const seen = new Map<string, number>();
    return link.endpoints.map((ep) => {
      const k = (seen.get(ep.node) ?? 0) + 1;
      seen.set(ep.node, k);
      if (ep.ifname) return undefined;
      const was = sticky.ifname(linkNames[li] as string, ep.node, k);
      if (!was || used.get(ep.node)?.has(was)) return undefined;
      take(ep.node, was);
      return was;
    });
  });
  const next = new Map<string, number>();
  return topology.links.map((link, li) =>
    link.endpoints.map((ep, ei) => {
      if (ep.ifname) return ep.ifname;
      const was = kept[li]?.[ei];
      if (was) return was;
      const taken = used.get(ep.node) ?? new Set<string>();
      let n = next.get(ep.node) ?? 1;
      while (taken.has(`eth${n}`)) n++;
      next.set(ep.node, n + 1);
      taken.add(`eth${n}`);
      used.set(ep.node, taken);
      return `eth${n}`;
    }),
  );
}

/**
 * Link names: as written, else `a-b` for p2p and `lanN` for LANs (the name
 * the running lab gives a LAN of the same nodes, when it has one), made unique.
 */
function assignLinkNames(links: readonly TopologyLink[], sticky: Sticky): string[] {
  const names = new UniqueNames();
  for (const l of links) if (l.name) names.reserve(l.name);
  const keptLans = links.map((l) => {
    if (l.name || (l.type !== "lan" && l.type !== "stub")) return undefined;
    const was = sticky.lanName(l.endpoints.map((e) => e.node));
    if (!was || names.has(was)) return undefined;
    names.reserve(was);
    return was;
  });
  let lans = 0;
  return links.map((l, li) => {
    if (l.name) return l.name;
    const kept = keptLans[li];
    if (kept) return kept;
    if (l.type === "lan" || l.type === "stub") {
      let n = ++lans;
      while (names.has(`lan${n}`)) n = ++lans;
      names.reserve(`lan${n}`);
      return `lan${n}`;
    }
    const base = l.endpoints.map((e) => e.node).join("-");
    return names.take(base, base, Number.POSITIVE_INFINITY);
  });
}

function resolveTests(
  topology: Topology,
  nodes: readonly NodePlan[],
  diagnostics: Diagnostic[],
): TestPlan[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const out: TestPlan[] = [];
  for (const t of topology.tests) {
    const node = byName.get(t.ping);
    if (node) {
      const family = t.af ?? "ipv4";
      const addr = nodeAddress(node, family);
      if (!addr) {
        diagnostics.push({
          code: "bad-value",
          message: `cannot ping node "${t.ping}": it has no ${family} address`,
          path: [...t.path, "ping"],
        });
        continue;
      }
      out.push({
        name: t.name,
        from: t.from,
        target: addr,
        targetNode: node.name,
        family,
        expect: t.expect,
      });
    } else {
      const a = parseAddress(t.ping);
      if (a)
        out.push({
          name: t.name,
          from: t.from,
          target: a.address,
          family: a.family,
          expect: t.expect,
        });
    }
  }
  return out;
}

/** The address that stands for a node: its loopback, else its first interface address. */
export function nodeAddress(node: NodePlan, family: "ipv4" | "ipv6"): string | undefined {
  const lo = node.loopback[family];
  if (lo) return stripLength(lo);
  const f = node.interfaces.find((i) => i[family]);
  return f ? stripLength(f[family] as string) : undefined;
}

/** MACs number nodes and their interfaces in 12 bits each. */
function checkSize(topology: Topology, diagnostics: Diagnostic[]): void {
  if (topology.nodes.length > MAX_MAC_INDEX) {
    diagnostics.push({
      code: "unsupported",
      message: `a lab holds at most ${MAX_MAC_INDEX} nodes; this one has ${topology.nodes.length}; split it`,
      path: ["nodes"],
    });
  }
  const count = new Map<string, number>();
  for (const l of topology.links)
    for (const e of l.endpoints) count.set(e.node, (count.get(e.node) ?? 0) + 1);
  for (const n of topology.nodes) {
    const c = count.get(n.name) ?? 0;
    if (c > MAX_MAC_INDEX) {
      diagnostics.push({
        code: "unsupported",
        message: `node "${n.name}" has ${c} interfaces; a node holds at most ${MAX_MAC_INDEX}`,
        path: n.path,
      });
    }
  }
}
