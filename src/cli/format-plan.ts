/**
 * Human-readable rendering of a {@link LabPlan} for `wirelab plan`.
 */
import type { LabPlan, LinkDescription, NodeDescription } from "../index.js";
import { table } from "./table.js";

/**
 * The plan as indented sections: nodes (interfaces, routes), links, tests.
 *
 * @param described - the plan's nodes and links described (`describePlan`)
 */
export function formatPlan(
  plan: LabPlan,
  described: { nodes: readonly NodeDescription[]; links: readonly LinkDescription[] },
): string {
  const out: string[] = [];
  out.push(
    `lab ${plan.lab}${plan.labNamespace ? ` (LAN bridges in namespace ${plan.labNamespace})` : ""}`,
  );
  out.push("", "nodes:");
  plan.nodes.forEach((n, k) => {
    const lo = [n.loopback.ipv4, n.loopback.ipv6].filter(Boolean).join(" ");
    const where = described.nodes[k]?.where;
    const device = n.device && n.device.name !== "linux" ? `, ${n.device.name} router` : "";
    const config =
      n.device && "config" in n.device && n.device.config ? [`    config ${n.device.config}`] : [];
    out.push(
      `  ${n.name} (${n.kind}${device}${where ? `, ${where}` : ""}${n.forwarding ? ", forwarding" : ""}${lo ? `, lo ${lo}` : ""})`,
    );
    const rows = n.interfaces.map((i) => [
      i.ifname,
      i.mac,
      [i.ipv4, i.ipv6].filter(Boolean).join(" ") || "-",
      `link ${i.link}`,
      i.peer ? `peer ${i.peer}` : "",
    ]);
    if (rows.length) out.push(indent(table(undefined, rows), 4));
    for (const r of n.routes) {
      const hops = r.nexthops.map((h) => `via ${h.via} dev ${h.dev}`).join(", ");
      out.push(`    route ${r.prefix} ${hops}${r.origin === "routing" ? " (routing)" : ""}`);
    }
    out.push(...config);
  });
  out.push("", "links:");
  const linkRows = plan.links.map((l, k) => {
    const d = described.links[k];
    return [
      l.name,
      l.type,
      d?.transport ?? l.transport,
      [l.subnets.ipv4, l.subnets.ipv6].filter(Boolean).join(" ") || "-",
      (d?.endpoints ?? [])
        .map((e) => `${e.node}:${e.ifname}${e.objects.length ? `(${e.objects.join(", ")})` : ""}`)
        .join(" "),
    ];
  });
  out.push(indent(table(undefined, linkRows), 2));
  if (plan.tests.length) {
    out.push("", "validate:");
    for (const t of plan.tests) {
      out.push(
        `  ${t.name}: ping ${t.target}${t.targetNode ? ` (${t.targetNode})` : ""} from ${t.from}, expect ${t.expect}`,
      );
    }
  }
  return out.join("\n");
}

function indent(text: string, n: number): string {
  const pad = " ".repeat(n);
  return text
    .split("\n")
    .map((l) => pad + l)
    .join("\n");
}
