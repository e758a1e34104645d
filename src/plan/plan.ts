/**
 * The planner: a validated {@link Topology} in, a {@link LabPlan} out. Pure
 * and deterministic: the same topology always gives a byte-identical plan.
 * Stages, each adding to one list of diagnostics: transports (the table),
 * addresses, clashes, names, kinds, routes, tests.
 */
import { type Diagnostic, TopologyError } from "../errors.js";
import { contains, parseAddress, parseCidr, stripLength } from "../ip.js";
import type { Topology, TopologyLink } from "../topology/types.js";
import { allocateAddresses } from "./addresses.js";
import { findClashes } from "./clashes.js";
import { deviceSpec } from "./devices/index.js";
import { checkAttributes, kindSpec } from "./kinds/index.js";
import { MAX_MAC_INDEX, macAddress } from "./mac.js";
import { HostNames, labNamespace, UniqueNames } from "./names.js";
import { computeStaticRoutes } from "./routing.js";
import { transportNamed } from "./transports/index.js";
import { type ResolvedLink, resolveTransport } from "./transports/table.js";
import type { BuildContext } from "./transports/types.js";
import {
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
  const kinds = new Map(topology.nodes.map((n) => [n.name, n.kind]));
  const attaches = (node: string) => kindSpec(kinds.get(node) ?? "linux").attaches;
  const resolved = topology.links.map((l) => resolveTransport(l, attaches, found));
  const typed: Topology = {
    ...topology,
    links: topology.links.map((l, i) => ({ ...l, type: (resolved[i] as ResolvedLink).type })),
  };
  const allocated: Diagnostic[] = [];
  const alloc = allocateAddresses(typed, allocated);
  // An address outside its link's prefix is the file's; an exhausted pool may come of a dropped link.
  for (const d of allocated) (d.code === "pool-exhausted" ? cascading : found).push(d);
  findClashes(typed, alloc.links, alloc.loopbacks, found);
  const ifnames = assignInterfaceNames(typed);
  const linkNames = assignLinkNames(typed.links);

  const ctx: BuildContext = {
    attaches,
    labNamespace: labNamespace(topology.name),
    labNames: new UniqueNames(),
    hostNames: new HostNames(topology.name),
  };
  const ifaces = new Map<string, InterfacePlan[]>(topology.nodes.map((n) => [n.name, []]));
  const nodeIndex = new Map(topology.nodes.map((n, i) => [n.name, i + 1]));
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
    input.endpoints.forEach((ep, ei) => {
      const list = ifaces.get(ep.node) as InterfacePlan[];
      const a = addrs?.endpoints[ei] ?? {};
      const other = input.type === "p2p" ? input.endpoints[1 - ei] : undefined;
      list.push({
        ifname: ep.ifname,
        mac: macAddress(topology.name, nodeIndex.get(ep.node) as number, list.length + 1),
        link: input.name,
        ...(a.ipv4 ? { ipv4: a.ipv4 } : {}),
        ...(a.ipv6 ? { ipv6: a.ipv6 } : {}),
        ...(other ? { peer: `${other.node}:${other.ifname}` } : {}),
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
    staticRoutes.set(node.name, writtenRoutes(node, ifaces.get(node.name) ?? [], cascading));
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
    return {
      name: n.name,
      kind: n.kind,
      ...kindSpec(n.kind).plan(n, { lab: topology.name, index: i + 1 }, found),
      device: device.plan(n, found),
      forwarding: n.forwarding ?? (device.forwards || (routing?.transit.has(n.name) ?? false)),
      loopback: loopbacks(i),
      interfaces: ifaces.get(n.name) ?? [],
      routes: [...own, ...computed],
      ...(n.exec ? { exec: n.exec } : {}),
    } as unknown as NodePlan;
  });

  const tests = resolveTests(topology, nodes, cascading);
  diagnostics.push(...found, ...(options.incomplete ? [] : cascading));
  if (found.length > 0 || cascading.length > 0) return undefined;
  const needsLabNs = links.some((l) => transportNamed(l.transport).needsLabNamespace);
  return {
    version: PLAN_VERSION,
    lab: topology.name,
    ...(needsLabNs ? { labNamespace: ctx.labNamespace } : {}),
    nodes,
    links,
    tests,
  };
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

/** Interface names per link endpoint: explicit ones, else the lowest free `ethN` (N ≥ 1) in link order. */
function assignInterfaceNames(topology: Topology): string[][] {
  const used = new Map<string, Set<string>>();
  for (const link of topology.links) {
    for (const ep of link.endpoints) {
      if (ep.ifname)
        (used.get(ep.node) ?? used.set(ep.node, new Set()).get(ep.node))?.add(ep.ifname);
    }
  }
  const next = new Map<string, number>();
  return topology.links.map((link) =>
    link.endpoints.map((ep) => {
      if (ep.ifname) return ep.ifname;
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

/** Link names: as written, else `a-b` for p2p and `lanN` for LANs, made unique. */
function assignLinkNames(links: readonly TopologyLink[]): string[] {
  const names = new UniqueNames();
  for (const l of links) if (l.name) names.reserve(l.name);
  let lans = 0;
  return links.map((l) => {
    if (l.name) return l.name;
    if (l.type === "lan") {
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
