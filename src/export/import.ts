/**
 * `wirelab import FILE`: the wirelab topology equivalent to a containerlab
 * or netlab file, as YAML. The file is checked in full first, so an import
 * never writes a topology that `up` would refuse.
 *
 * A containerlab file is translated (`topology/clab.ts`). A netlab file is
 * planned by netlab's rules and written with what those rules decided made
 * explicit — every address, loopback, node ID, link type and role, the
 * hosts' routes, the nodes' module attributes as groups and defaults gave
 * them — so that the wirelab topology plans the same lab.
 */
import { dirname, relative, resolve } from "node:path";
import { stringify } from "yaml";
import { WirelabError } from "../errors.js";
import { contains, parseCidr } from "../ip.js";
import { planText } from "../plan/load-plan.js";
import type { InterfacePlan, LabPlan } from "../plan/types.js";
import { fromClab, isClabTopology } from "../topology/clab.js";
import { located, parseTopologyPartial } from "../topology/load.js";
import type { LoadOptions } from "../topology/mechanics/index.js";
import type { StaticRouteInput } from "../topology/modules/routing.js";
import { topologyFormat } from "../topology/netlab.js";
import { parseSource } from "../topology/source.js";
import type { NetlabTest, Topology } from "../topology/types.js";

/**
 * @param text - the file's text
 * @param file - its name, for messages (paths in it are relative to its folder)
 * @param out - where the result will be written (its paths are made relative to that folder); default: standard output, read from the current folder
 * @returns YAML text of the wirelab topology
 * @throws {TopologyError} with every problem, located in the original file
 * @throws {WirelabError} when the file is neither a containerlab nor a netlab topology
 */
export function importTopology(
  text: string,
  file: string,
  out?: string,
  options: LoadOptions = {},
): string {
  const checked = parseTopologyPartial(text, file, options);
  if (checked.problems.length) throw located(checked.source, checked.problems);
  const { source } = parseSource(text, file);
  const data: unknown = source.data ?? {};
  const from = resolve(out ? dirname(out) : ".");
  const rel = (p: string) => relative(from, resolve(dirname(file), p)) || ".";
  if (isClabTopology(data)) {
    const { data: wirelab } = fromClab(data as Record<string, unknown>, [], dirname(file));
    // A router's files, from the new file's folder.
    for (const node of Object.values(wirelab.nodes as Record<string, Record<string, unknown>>))
      for (const key of ["config", "daemons"])
        if (typeof node[key] === "string") node[key] = rel(node[key] as string);
    return `# wirelab topology imported from ${file} (containerlab)\n${stringify(wirelab, { lineWidth: 0 })}`;
  }
  if (topologyFormat(data) === "netlab") {
    const { topology, plan } = planText(text, file, options);
    const wirelab = fromNetlabPlan(topology, plan, (p) => relative(from, p) || ".");
    return `# wirelab topology imported from ${file} (netlab)\n${stringify(wirelab, { lineWidth: 0 })}`;
  }
  throw new WirelabError(
    `${file} is neither a containerlab (topology.nodes) nor a netlab topology (provider, groups, device…); wirelab reads it as it is`,
  );
}

/** Keeps the defined values of a map. */
const defined = (o: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** The wirelab topology of a netlab topology and its plan. */
function fromNetlabPlan(
  t: Topology,
  plan: LabPlan,
  relPath: (abs: string) => string,
): Record<string, unknown> {
  const nodes: Record<string, unknown> = {};
  t.nodes.forEach((n) => {
    const p = plan.nodes.find((x) => x.name === n.name);
    if (!p) return;
    const lo = p.loopback;
    nodes[n.name] = defined({
      kind: n.kind !== "linux" ? n.kind : undefined,
      device: n.device !== "linux" ? n.device : undefined,
      id: p.id,
      role: n.role,
      module: n.modules.length ? [...n.modules] : undefined,
      loopback: lo.ipv4 || lo.ipv6 ? defined({ ipv4: lo.ipv4, ipv6: lo.ipv6 }) : undefined,
      mtu: n.mtu,
      memory: n.memory,
      cpus: n.cpus,
      exec: n.exec,
      config: n.router?.config ? relPath(n.router.config) : undefined,
      daemons: n.router?.daemons ? relPath(n.router.daemons) : undefined,
      ospf: n.ospf,
      isis: n.isis,
      bgp: n.bgp,
      routing: n.routing?.static ? { static: expandIncludes(t, n.routing.static) } : undefined,
      // netlab's routes of hosts (the routing module's own are made again from routing.static).
      routes: n.modules.includes("routing") ? undefined : hostRoutes(p.routes),
    });
  });
  const links = t.links.map((l, li) => {
    const planned = plan.links[li];
    const out: Record<string, unknown> = {};
    const addrs: { ipv4: string[]; ipv6: string[] } = { ipv4: [], ipv6: [] };
    l.endpoints.forEach((ep, ei) => {
      const pe = planned?.endpoints[ei];
      const i = plan.nodes
        .find((x) => x.name === ep.node)
        ?.interfaces.find((x) => x.ifname === pe?.ifname) as InterfacePlan;
      for (const f of ["ipv4", "ipv6"] as const)
        if (i[f] && !i.unnumbered?.[f]) addrs[f].push(i[f] as string);
      out[ep.node] = defined({
        ifname: i.ifname,
        ipv4: i.unnumbered?.ipv4 ? true : (i.ipv4 ?? false),
        ipv6: i.unnumbered?.ipv6 ? true : (i.ipv6 ?? false),
        description: i.description,
        mtu: i.mtu,
        bandwidth: ep.bandwidth,
        shutdown: ep.shutdown,
        impair: ep.impair,
        ospf: ep.ospf,
        isis: ep.isis,
        bgp: ep.bgp,
      });
    });
    const type = l.endpoints.length === 1 ? "stub" : planned?.type;
    const role = plan.nodes
      .flatMap((n) => n.interfaces)
      .find((i) => i.link === planned?.name)?.role;
    return defined({
      ...out,
      type,
      role,
      prefix: defined({
        ipv4: prefixOf(planned?.subnets.ipv4, addrs.ipv4),
        ipv6: prefixOf(planned?.subnets.ipv6, addrs.ipv6),
      }),
      mtu: l.mtu,
      bandwidth: l.bandwidth,
      shutdown: l.shutdown,
      ra: l.ra,
      impair: l.impair,
      ospf: l.ospf,
      isis: l.isis,
      bgp: l.bgp,
    });
  });
  return defined({
    name: plan.lab,
    // wirelab's own key: the file is read by wirelab's rules, which the explicit values above make netlab's.
    routing: "none",
    addressing: addressingOf(t),
    ...(t.bgp ? { bgp: t.bgp } : {}),
    prefix: Object.keys(plan.prefixes ?? {}).length ? plan.prefixes : undefined,
    message: t.message,
    nodes,
    links,
    validate: t.checks.length ? Object.fromEntries(t.checks.map(testEntry)) : undefined,
  });
}

/**
 * A link's prefix as written out: netlab's (a pool's) when its addresses
 * are in it; none when they are not (netlab takes a pool's prefix even for
 * a link whose ends all write addresses of another subnet; wirelab takes
 * the subnet of the first address, which is the one the link works on).
 */
function prefixOf(
  subnet: string | undefined,
  addrs: readonly string[],
): string | false | undefined {
  if (!subnet) return false;
  const s = parseCidr(subnet);
  const inside = addrs.every((a) => {
    const c = parseCidr(a);
    return s && c && c.length === s.length && contains(s, c.value);
  });
  return inside ? subnet : undefined;
}

/** The pools as written out (the router ID pool and the topology's own are still used). */
function addressingOf(t: Topology): Record<string, unknown> {
  const pool = (p: Topology["addressing"]["lan"]) => defined({ ...p });
  const a = t.addressing;
  return {
    loopback: pool(a.loopback),
    p2p: pool(a.p2p),
    lan: pool(a.lan),
    router_id: pool(a.router_id),
    ...Object.fromEntries(Object.entries(a.extra).map(([k, v]) => [k, pool(v)])),
  };
}

/** A node's kernel routes as wirelab's `routes` (one next hop each). */
function hostRoutes(
  routes: LabPlan["nodes"][number]["routes"],
): { prefix: string; via: string }[] | undefined {
  const out = routes.flatMap((r) =>
    r.nexthops[0] ? [{ prefix: r.prefix, via: r.nexthops[0].via }] : [],
  );
  return out.length ? out : undefined;
}

/** A node's static routes with the global lists they include written in. */
function expandIncludes(
  t: Topology,
  list: readonly StaticRouteInput[],
  depth = 0,
): StaticRouteInput[] {
  return list.flatMap((r) => {
    if (r.include === undefined || depth > 20) return [r];
    const included = t.staticRoutes[r.include] ?? [];
    return expandIncludes(
      t,
      included.map((x) => (r.nexthop ? { ...x, nexthop: r.nexthop } : x)),
      depth + 1,
    );
  });
}

/** A netlab test as it is written. */
function testEntry(c: NetlabTest): [string, Record<string, unknown>] {
  return [
    c.name,
    defined({
      description: c.description,
      nodes: [...c.nodes],
      plugin: c.plugin,
      show: c.show,
      exec: c.exec,
      valid: c.valid,
      wait: c.wait,
      wait_msg: c.waitMsg,
      level: c.level,
      stop_on_error: c.stopOnError,
      pass: c.pass,
      fail: c.fail,
    }),
  ];
}
