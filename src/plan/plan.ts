/**
 * The planner: a validated {@link Topology} in, a {@link LabPlan} out. Pure
 * and deterministic: the same topology always gives a byte-identical plan.
 */
import { type Diagnostic, TopologyError } from "../errors.js";
import { contains, parseAddress, parseCidr, stripLength } from "../ip.js";
import type { Topology, TopologyLink } from "../topology/types.js";
import { allocateAddresses } from "./addresses.js";
import { findClashes } from "./clashes.js";
import { buildLink, HostNames, type LinkContext, linkTransport } from "./links.js";
import { MAX_MAC_INDEX, macAddress } from "./mac.js";
import { labNamespace, nodeNamespace, UniqueNames } from "./names.js";
import { computeStaticRoutes } from "./routing.js";
import {
  type EndpointPlan,
  type InterfacePlan,
  type LabPlan,
  type LinkPlan,
  type NodePlan,
  PLAN_VERSION,
  type RoutePlan,
  type TestPlan,
} from "./types.js";

/** Guest memory of a VM node unless it says otherwise, in MiB. */
export const DEFAULT_VM_MEMORY_MIB = 96;

/**
 * Decides every name, MAC, address, route and transport of a lab.
 *
 * @param topology - a validated topology (from `parseTopology`)
 * @returns the plan
 * @throws {TopologyError} with unlocated diagnostics (paths only) for address
 *   clashes, exhausted pools and routes whose gateway is on no subnet of the
 *   node; use `planTopology` to get them located in the file
 */
export function planLab(topology: Topology): LabPlan {
  const diagnostics: Diagnostic[] = [];
  checkSize(topology, diagnostics);
  if (diagnostics.length > 0) throw new TopologyError(diagnostics);
  const alloc = allocateAddresses(topology, diagnostics);
  findClashes(topology, alloc.links, alloc.loopbacks, diagnostics);
  const ifnames = assignInterfaceNames(topology);
  const linkNames = assignLinkNames(topology.links);
  const kinds = new Map(topology.nodes.map((n) => [n.name, n.kind]));
  const isBridged = (l: TopologyLink): boolean => linkTransport(l, kinds) === "bridge";
  const needsLabNs = topology.links.some(isBridged);
  const labNs = labNamespace(topology.name);
  const labNsNames = new UniqueNames();

  const ifaces = new Map<string, InterfacePlan[]>(topology.nodes.map((n) => [n.name, []]));
  const nodeIndex = new Map(topology.nodes.map((n, i) => [n.name, i + 1]));
  // Bridges first, so a port never takes a bridge's name.
  const bridges = topology.links.map((l, li) =>
    isBridged(l) ? labNsNames.take(linkNames[li] as string, `br${li + 1}`) : undefined,
  );
  const linkCtx: LinkContext = {
    kinds,
    labNamespace: labNs,
    labNames: labNsNames,
    hostNames: new HostNames(topology.name),
  };
  const links: LinkPlan[] = topology.links.map((link, li) => {
    const name = linkNames[li] as string;
    const addrs = alloc.links[li] ?? { subnets: {}, endpoints: [] };
    const endpoints: EndpointPlan[] = link.endpoints.map((ep, ei) => ({
      node: ep.node,
      interface: ifnames[li]?.[ei] as string,
    }));
    endpoints.forEach((ep, ei) => {
      const list = ifaces.get(ep.node) as InterfacePlan[];
      const a = addrs.endpoints[ei] ?? {};
      const other = link.type === "p2p" ? endpoints[1 - ei] : undefined;
      list.push({
        name: ep.interface,
        mac: macAddress(topology.name, nodeIndex.get(ep.node) as number, list.length + 1),
        link: name,
        ...(a.ipv4 ? { ipv4: a.ipv4 } : {}),
        ...(a.ipv6 ? { ipv6: a.ipv6 } : {}),
        ...(other ? { peer: `${other.node}:${other.interface}` } : {}),
      });
    });
    return buildLink(link, li, name, { ...addrs.subnets }, endpoints, bridges[li], linkCtx);
  });

  const staticRoutes = new Map<string, RoutePlan[]>();
  for (const node of topology.nodes) {
    const list: RoutePlan[] = [];
    node.routes.forEach((r) => {
      const gw = parseAddress(r.via);
      const dev = (ifaces.get(node.name) ?? []).find((f) => {
        const c = parseCidr((gw?.family === "ipv6" ? f.ipv6 : f.ipv4) ?? "");
        return (
          c !== undefined &&
          gw !== undefined &&
          contains(c, gw.value) &&
          stripLength(f.ipv4 ?? "") !== r.via
        );
      });
      if (!dev) {
        const subnets = (ifaces.get(node.name) ?? []).flatMap((f) =>
          [f.ipv4, f.ipv6].filter((x): x is string => !!x),
        );
        diagnostics.push({
          code: "bad-route",
          message: `route to ${r.prefix} via ${r.via}: the gateway is on no subnet of "${node.name}" (its addresses: ${subnets.join(", ") || "none"}); use a neighbour's address`,
          path: [...r.path, "via"],
        });
        return;
      }
      list.push({ prefix: r.prefix, nexthops: [{ via: r.via, dev: dev.name }], origin: "static" });
    });
    staticRoutes.set(node.name, list);
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

  const nodes: NodePlan[] = topology.nodes.map((n, i) => {
    const own = staticRoutes.get(n.name) ?? [];
    const computed = (routing?.routes.get(n.name) ?? []).filter(
      (r) => !own.some((o) => o.prefix === r.prefix),
    );
    return {
      name: n.name,
      kind: n.kind,
      ...(n.kind === "vm"
        ? {
            vm: {
              memoryMiB: n.memory ?? DEFAULT_VM_MEMORY_MIB,
              cpus: n.cpus ?? 1,
              managementMac: macAddress(topology.name, i + 1, 0),
              nic: n.nic === "e1000" ? "e1000" : "virtio-net-pci",
              ...(n.userImage ? { userImage: n.userImage } : {}),
            },
          }
        : { namespace: nodeNamespace(topology.name, n.name) }),
      forwarding: n.forwarding ?? routing?.transit.has(n.name) ?? false,
      loopback: loopbacks(i),
      interfaces: ifaces.get(n.name) ?? [],
      routes: [...own, ...computed],
    };
  });

  const tests = resolveTests(topology, nodes, diagnostics);
  if (diagnostics.length > 0) throw new TopologyError(diagnostics);
  return {
    version: PLAN_VERSION,
    lab: topology.name,
    ...(needsLabNs ? { labNamespace: labNs } : {}),
    nodes,
    links,
    tests,
  };
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
