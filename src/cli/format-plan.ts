/**
 * Human-readable rendering of a {@link LabPlan} for `wirelab plan`.
 */
import type { LabPlan } from "../plan/types.js";
import { table } from "./table.js";

/** The plan as indented sections: nodes (interfaces, routes), links, tests. */
export function formatPlan(plan: LabPlan): string {
  const out: string[] = [];
  out.push(
    `lab ${plan.lab}${plan.labNamespace ? ` (LAN bridges in namespace ${plan.labNamespace})` : ""}`,
  );
  out.push("", "nodes:");
  for (const n of plan.nodes) {
    const lo = [n.loopback.ipv4, n.loopback.ipv6].filter(Boolean).join(" ");
    out.push(
      `  ${n.name} (${n.kind}${n.namespace ? `, namespace ${n.namespace}` : ""}${n.forwarding ? ", forwarding" : ""}${lo ? `, lo ${lo}` : ""})`,
    );
    const rows = n.interfaces.map((i) => [
      i.name,
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
  }
  out.push("", "links:");
  const linkRows = plan.links.map((l) => [
    l.name,
    l.type,
    l.transport === "bridge" ? `bridge ${l.bridge}` : l.transport,
    [l.subnets.ipv4, l.subnets.ipv6].filter(Boolean).join(" ") || "-",
    l.endpoints.map((e) => `${e.node}:${e.interface}${kernelNames(e)}`).join(" "),
  ]);
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

/** Kernel objects that carry an endpoint, e.g. `(port h1-eth1, tap wl1a2b3t1)`. */
function kernelNames(e: object): string {
  const { port, tap, hostVeth } = e as { port?: string; tap?: string; hostVeth?: string };
  const parts = [
    port && `port ${port}`,
    tap && `tap ${tap}`,
    hostVeth && `veth ${hostVeth}`,
  ].filter(Boolean);
  return parts.length ? `(${parts.join(", ")})` : "";
}
