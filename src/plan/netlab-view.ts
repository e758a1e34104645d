/**
 * A plan as netlab's transformed topology has it (the data netlab's
 * validation plugins and templates read; netlab docs, "Lab Validation
 * Tests", Input Parameters): `nodes.NAME` with `id`, `device`, `role`,
 * `module`, `af`, `loopback`, `interfaces[]` (each with `ifindex`,
 * `ifname`, `name`, `type`, addresses — `true` for unnumbered — and
 * `neighbors[]`), and `ospf`, `bgp` (with `neighbors[]`), `isis`,
 * `routing`; `links[]`; `prefix.NAME`. Plain data, for the expression
 * evaluator.
 */
import type { InterfacePlan, LabPlan, NodePlan } from "./types.js";

/** A JSON value. */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const clean = (o: Record<string, unknown>): { [key: string]: Json } =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [key: string]: Json;
  };

/** netlab's address of an interface in a family: the address, `true` when unnumbered, or nothing. */
function address(i: InterfacePlan, af: "ipv4" | "ipv6"): string | true | undefined {
  if (i.unnumbered?.[af]) return true;
  return i[af];
}

/**
 * @returns `{ name, nodes, links, prefix }`, netlab's view of the lab
 */
export function netlabView(plan: LabPlan): { [key: string]: Json } {
  const linkEnds = new Map<string, { node: string; i: InterfacePlan }[]>();
  for (const n of plan.nodes)
    for (const i of n.interfaces)
      linkEnds.set(i.link, [...(linkEnds.get(i.link) ?? []), { node: n.name, i }]);
  const linkIndex = new Map(plan.links.map((l, k) => [l.name, k + 1]));
  const nodes: { [key: string]: Json } = {};
  for (const n of plan.nodes) nodes[n.name] = nodeView(n, linkEnds, linkIndex);
  const links: Json[] = plan.links.map((l, k) =>
    clean({
      linkindex: k + 1,
      name: l.name,
      type: l.type === "lan" && (linkEnds.get(l.name)?.length ?? 0) === 1 ? "stub" : l.type,
      prefix: clean({ ...l.subnets }),
      interfaces: (linkEnds.get(l.name) ?? []).map(({ node, i }) =>
        clean({ node, ifname: i.ifname, ipv4: address(i, "ipv4"), ipv6: address(i, "ipv6") }),
      ),
    }),
  );
  const prefix: { [key: string]: Json } = {};
  for (const [k, v] of Object.entries(plan.prefixes ?? {})) prefix[k] = clean({ ...v });
  return { name: plan.lab, nodes, links, prefix };
}

function nodeView(
  n: NodePlan,
  linkEnds: ReadonlyMap<string, { node: string; i: InterfacePlan }[]>,
  linkIndex: ReadonlyMap<string, number>,
): { [key: string]: Json } {
  const af: { [key: string]: Json } = {};
  for (const f of ["ipv4", "ipv6"] as const)
    if (n.loopback[f] || n.interfaces.some((i) => address(i, f) !== undefined)) af[f] = true;
  const p = n.protocols;
  const loopback =
    n.loopback.ipv4 || n.loopback.ipv6
      ? clean({
          ifname: "lo",
          ifindex: 0,
          type: "loopback",
          ipv4: n.loopback.ipv4,
          ipv6: n.loopback.ipv6,
          ...(p?.ospf?.loopback
            ? { ospf: clean({ area: p.ospf.loopback.area, passive: false }) }
            : {}),
          ...(p?.isis ? { isis: { passive: false } } : {}),
        })
      : undefined;
  const interfaces = n.interfaces.map((i, k) => {
    const ends = linkEnds.get(i.link) ?? [];
    const neighbors = ends
      .filter((e) => e.node !== n.name || e.i.ifname !== i.ifname)
      .map((e) =>
        clean({
          node: e.node,
          ifname: e.i.ifname,
          ipv4: address(e.i, "ipv4"),
          ipv6: address(e.i, "ipv6"),
        }),
      );
    return clean({
      ifindex: k + 1,
      ifname: i.ifname,
      name: i.description,
      type:
        ends.length === 1 ? "stub" : ends.length === 2 && !i.peer ? "lan" : i.peer ? "p2p" : "lan",
      linkindex: linkIndex.get(i.link),
      ipv4: address(i, "ipv4"),
      ipv6: address(i, "ipv6"),
      mtu: i.mtu,
      bandwidth: i.bandwidth,
      shutdown: i.shutdown,
      role: i.role,
      neighbors,
      ospf: i.ospf ? clean({ ...i.ospf }) : undefined,
      isis: i.isis ? clean({ ...i.isis }) : undefined,
      bgp: i.bgpAdvertise ? { advertise: true } : undefined,
    });
  });
  return clean({
    name: n.name,
    id: n.id,
    device: n.device?.name ?? "linux",
    role: n.role ?? (n.device?.name === "frr" ? "router" : "host"),
    module: [...(n.modules ?? [])],
    af,
    loopback,
    interfaces,
    ospf: p?.ospf ? (JSON.parse(JSON.stringify(p.ospf)) as Json) : undefined,
    isis: p?.isis ? (JSON.parse(JSON.stringify(p.isis)) as Json) : undefined,
    bgp: p?.bgp ? (JSON.parse(JSON.stringify(p.bgp)) as Json) : undefined,
    routing: p?.static ? { static: JSON.parse(JSON.stringify(p.static)) as Json } : undefined,
  });
}
