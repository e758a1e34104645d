/**
 * IS-IS for FRR (FRR docs, "IS-IS"; netlab's `templates/isis/frr.macro.j2`):
 * the router with its NET, level, wide metrics and netlab's LSP timers,
 * then each interface that runs it (the loopback too) with its circuit
 * type, metric, network type and passive flag.
 */
import type { InterfacePlan, IsisPlan, NodePlan } from "../types.js";
import { redistribute } from "./ospf.js";

/** netlab's levels in FRR's words (`is-type`, `isis circuit-type`). */
const LEVEL: Readonly<Record<IsisPlan["type"], string>> = {
  "level-1": "level-1",
  "level-2": "level-2-only",
  "level-1-2": "level-1-2",
};

/** @returns the lines, or none when the node does not run IS-IS */
export function isisLines(node: NodePlan): string[] {
  const s = node.protocols?.isis;
  if (!s) return [];
  const out = [
    `router isis ${s.instance}`,
    " log-adjacency-changes",
    " hostname dynamic",
    ` is-type ${LEVEL[s.type]}`,
    " metric-style wide",
    // netlab's `lsp-timers gen-interval 1 refresh-interval 900 max-lifetime 1800`, but for the
    // lifetime: a max-lifetime loaded with the configuration holds FRR 8.4's first full LSP back
    // by its default generation interval (30 s); the refresh interval is FRR's default.
    " lsp-gen-interval 1",
    ` net ${s.net}`,
  ];
  if (s.af.ipv6) out.push(" topology ipv6-unicast");
  for (const af of ["ipv4", "ipv6"] as const) {
    if (!s.af[af]) continue;
    for (const level of ["1", "2"])
      if (s.type.includes(level))
        out.push(...redistribute(s.import, af, `${af} `).map((l) => `${l} level-${level}`));
  }
  out.push("exit", "!");
  const lo = node.loopback;
  if (lo.ipv4 || lo.ipv6) {
    out.push("interface lo");
    if (lo.ipv4 && s.af.ipv4) out.push(` ip router isis ${s.instance}`);
    if (lo.ipv6 && s.af.ipv6) out.push(` ipv6 router isis ${s.instance}`);
    out.push(" isis passive", "!");
  }
  for (const i of node.interfaces) {
    if (!i.isis) continue;
    out.push(`interface ${i.ifname}`);
    if (has(i, "ipv4") && s.af.ipv4) out.push(` ip router isis ${s.instance}`);
    if (has(i, "ipv6") && s.af.ipv6) out.push(` ipv6 router isis ${s.instance}`);
    if (i.isis.network_type) out.push(` isis network ${i.isis.network_type}`);
    if (i.isis.type) out.push(` isis circuit-type ${LEVEL[i.isis.type]}`);
    if (i.isis.metric !== undefined) out.push(` isis metric ${i.isis.metric}`);
    if (i.isis.passive) out.push(" isis passive");
    out.push("!");
  }
  return out;
}

const has = (i: InterfacePlan, af: "ipv4" | "ipv6") =>
  i[af] !== undefined || i.unnumbered?.[af] === true;
