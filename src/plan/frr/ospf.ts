/**
 * OSPFv2 and OSPFv3 for FRR (FRR docs, "OSPFv2" and "OSPFv3"; netlab's
 * `templates/ospf/frr.ospfv2.j2`, `frr.ospfv3.j2`): the router with its
 * router ID, netlab's fast SPF and LSA timers, default route and
 * redistribution, then each interface that runs it with its area and
 * settings (the loopback too, in the node's area).
 */
import type { InterfacePlan, NodePlan, OspfInterfacePlan, OspfPlan } from "../types.js";

/** An interface with its OSPF, the loopback included. */
type OspfInterface = { ifname: string; ospf: OspfInterfacePlan; v4: boolean; v6: boolean };

/** @returns the lines, or none when the node does not run OSPF */
export function ospfLines(node: NodePlan): string[] {
  const o = node.protocols?.ospf;
  if (!o) return [];
  const intfs: OspfInterface[] = [];
  if (o.loopback) {
    intfs.push({
      ifname: "lo",
      ospf: {
        area: o.loopback.area,
        passive: false,
        ...(o.loopback.cost ? { cost: o.loopback.cost } : {}),
      },
      v4: node.loopback.ipv4 !== undefined,
      v6: node.loopback.ipv6 !== undefined,
    });
  }
  for (const i of node.interfaces)
    if (i.ospf)
      intfs.push({ ifname: i.ifname, ospf: i.ospf, v4: has(i, "ipv4"), v6: has(i, "ipv6") });
  const out: string[] = [];
  if (o.af.ipv4) {
    out.push("router ospf", ` ospf router-id ${o.router_id}`);
    if (o.reference_bandwidth !== undefined)
      out.push(` auto-cost reference-bandwidth ${o.reference_bandwidth}`);
    out.push(
      " timers throttle spf 10 50 500",
      " timers throttle lsa all 100",
      " timers lsa min-arrival 100",
    );
    out.push(...defaultLine(o.default), ...redistribute(o.import, "ipv4"), "exit", "!");
    for (const i of intfs) {
      if (!i.v4) continue;
      // The area last: FRR starts an interface's wait timer when OSPF comes up on it, with the dead interval it has then.
      out.push(`interface ${i.ifname}`, ...settings(i.ospf, "ip ospf"));
      if (i.ospf.password !== undefined)
        out.push(` ip ospf authentication-key ${i.ospf.password}`, " ip ospf authentication");
      out.push(` ip ospf area ${i.ospf.area}`, "!");
    }
  }
  if (o.af.ipv6) {
    for (const i of intfs) {
      if (!i.v6) continue;
      out.push(
        `interface ${i.ifname}`,
        ...settings(i.ospf, "ipv6 ospf6"),
        ` ipv6 ospf6 area ${i.ospf.area}`,
        "!",
      );
    }
    out.push(
      "router ospf6",
      ` ospf6 router-id ${o.router_id}`,
      " timers lsa min-arrival 100",
      " timers throttle spf 10 50 500",
    );
    out.push(...defaultLine(o.default), ...redistribute(o.import, "ipv6"));
    if (o.reference_bandwidth !== undefined)
      out.push(` auto-cost reference-bandwidth ${o.reference_bandwidth}`);
    out.push("exit", "!");
  }
  return out;
}

const has = (i: InterfacePlan, af: "ipv4" | "ipv6") =>
  i[af] !== undefined || i.unnumbered?.[af] === true;

/** An interface's OSPF settings, with `ip ospf` or `ipv6 ospf6` in front. */
function settings(o: OspfInterfacePlan, cmd: string): string[] {
  const out: string[] = [];
  if (o.network_type) out.push(` ${cmd} network ${o.network_type}`);
  if (o.cost !== undefined) out.push(` ${cmd} cost ${o.cost}`);
  if (o.passive) out.push(` ${cmd} passive`);
  if (o.timers?.hello !== undefined) out.push(` ${cmd} hello-interval ${o.timers.hello}`);
  if (o.timers?.dead !== undefined) out.push(` ${cmd} dead-interval ${o.timers.dead}`);
  if (o.priority !== undefined) out.push(` ${cmd} priority ${o.priority}`);
  return out;
}

function defaultLine(d: OspfPlan["default"]): string[] {
  if (!d) return [];
  return [
    ` default-information originate${d.always ? " always" : ""}${d.type ? ` metric-type ${d.type.replace("e", "")}` : ""}${d.cost ? ` metric ${d.cost}` : ""}`,
  ];
}

/** `redistribute` lines (FRR calls OSPFv3 `ospf6` when it is a source). */
export function redistribute(
  sources: readonly string[] | undefined,
  af: "ipv4" | "ipv6",
  prefix = "",
): string[] {
  return (sources ?? []).map(
    (s) => ` redistribute ${prefix}${s === "ospf" && af === "ipv6" ? "ospf6" : s}`,
  );
}
