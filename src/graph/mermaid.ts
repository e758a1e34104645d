/**
 * A lab's picture as a Mermaid flowchart (mermaid.js.org, "Flowcharts
 * Syntax"): namespaces as rectangles, VMs as subroutine boxes, routers as
 * hexagons, LANs as circles; vEth and bridge links solid, tunnels and taps
 * dotted, the wire daemon's links thick; impaired links red (`linkStyle`).
 */
import type { LabGraph } from "./model.js";

/** Mermaid node ids: letters, digits and `_` only. */
function mid(id: string, kind: "n" | "l"): string {
  return `${kind}_${id.replace(/[^A-Za-z0-9]/g, (c) => `_${c.charCodeAt(0).toString(16)}`)}`;
}

/** Text inside a Mermaid label: quoted, with `"` as its entity. */
const text = (s: string) => `"${s.replace(/"/g, "#quot;")}"`;

/** The Mermaid text of a lab's picture. */
export function toMermaid(g: LabGraph): string {
  const lines = ["flowchart TB"];
  for (const n of g.nodes) {
    const label = text(
      [n.id, n.device === "frr" ? "FRR" : n.kind === "vm" ? "VM" : "namespace"].join("<br>"),
    );
    const [open, close] =
      n.device === "frr" ? ["{{", "}}"] : n.kind === "vm" ? ["[[", "]]"] : ["[", "]"];
    lines.push(`  ${mid(n.id, "n")}${open}${label}${close}`);
  }
  for (const l of g.lans)
    lines.push(
      `  ${mid(l.id, "l")}((${text([l.id, `LAN ${l.transport}`, ...l.subnets].join("<br>"))}))`,
    );
  const red: number[] = [];
  g.edges.forEach((e, i) => {
    const to = g.lans.some((l) => l.id === e.to) ? mid(e.to, "l") : mid(e.to, "n");
    const arrow = e.daemon ? "===" : e.transport === "udp" || e.transport === "tap" ? "-.-" : "---";
    const label = [e.toIf ? `${e.fromIf} – ${e.toIf}` : e.fromIf, e.transport, ...e.subnets].join(
      " ",
    );
    lines.push(`  ${mid(e.from, "n")} ${arrow}|${text(label)}| ${to}`);
    if (e.impaired) red.push(i);
  });
  if (red.length) lines.push(`  linkStyle ${red.join(",")} stroke:red,color:red`);
  return `${lines.join("\n")}\n`;
}
