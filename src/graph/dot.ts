/**
 * A lab's picture in Graphviz's DOT language (graphviz.org, "The DOT
 * Language", "Node Shapes", "Attributes"): namespaces as boxes, VMs as 3-D
 * boxes, routers as double octagons, LANs as ellipses (bridge), circles
 * (hub) or hexagons (switch); an edge's style says its transport (vEth
 * solid, UDP tunnel dashed, tap dotted, the wire daemon bold) and an
 * impaired link is red. Tiers are ranks of their own, top to bottom. Each
 * edge names its interfaces at its ends (not at a node with so many edges
 * that they would overlap), link name and subnet in the middle while there
 * are few enough edges to read them; its tooltip (SVG) says it all.
 */
import type { GraphEdge, GraphNode, LabGraph } from "./model.js";

/** A DOT ID: always quoted, with `"` and `\` escaped ("The DOT Language", IDs). */
export function dotId(text: string): string {
  return `"${escapeDot(text)}"`;
}

/** A label of several lines, each escaped, joined by DOT's `\n` (centred line break). */
export function dotLabel(lines: readonly string[]): string {
  return `"${lines.map(escapeDot).join("\\n")}"`;
}

const escapeDot = (text: string) => text.replace(/["\\]/g, (c) => `\\${c}`);

const STYLE: Record<string, string> = {
  veth: "solid",
  bridge: "solid",
  udp: "dashed",
  tap: "dotted",
};

function nodeLine(n: GraphNode): string {
  const router = n.device === "frr";
  const shape = router ? "doubleoctagon" : n.kind === "vm" ? "box3d" : "box";
  const what = `${n.kind === "vm" ? "VM" : "namespace"}${router ? ", FRR" : ""}`;
  const label = dotLabel([n.id, what, ...n.loopback]);
  return `  ${dotId(n.id)} [shape=${shape}, label=${label}${router ? ", style=filled, fillcolor=lightblue" : ""}];`;
}

/** Above this many edges, mid-edge labels (link, subnet) are left out: style and end labels stay readable. */
const LABELLED_EDGES = 24;

/** Interface names are left off the ends at nodes with more edges than this (they would overlap). */
const LABELLED_END_DEGREE = 8;

function edgeLine(e: GraphEdge, labelled: boolean, busy: ReadonlySet<string>): string {
  const style = e.daemon ? "bold" : (STYLE[e.transport] ?? "solid");
  const label = dotLabel([`${e.link} · ${e.transport}`, ...e.subnets]);
  const attrs = [
    `style=${style}`,
    ...(busy.has(e.from) ? [] : [`taillabel=${dotId(e.fromIf)}`]),
    ...(e.toIf && !busy.has(e.to) ? [`headlabel=${dotId(e.toIf)}`] : []),
    ...(e.toIf && labelled ? [`label=${label}`] : []),
    ...(e.impaired ? ["color=red", "fontcolor=red"] : []),
    `tooltip=${dotId(`${e.link}: ${e.from}:${e.fromIf} – ${e.toIf ? `${e.to}:${e.toIf}` : e.to}`)}`,
  ];
  return `  ${dotId(e.from)} -- ${dotId(e.to)} [${attrs.join(", ")}];`;
}

/** The DOT text of a lab's picture (undirected `graph`). */
export function toDot(g: LabGraph): string {
  const lines = [
    `graph ${dotId(g.lab)} {`,
    `  graph [label=${dotId(`lab ${g.lab}`)}, labelloc=t, fontname=Helvetica, nodesep=0.3, ranksep=${g.tiers ? "3" : "1.2"}${g.tiers ? ", newrank=true" : ""}];`,
    "  node [fontname=Helvetica, fontsize=10];",
    "  edge [fontname=Helvetica, fontsize=8, labelfontsize=8];",
  ];
  for (const n of g.nodes) lines.push(nodeLine(n));
  for (const l of g.lans) {
    const shape =
      l.transport === "hub" ? "circle" : l.transport === "switch" ? "hexagon" : "ellipse";
    const label = dotLabel([l.id, `LAN (${l.transport})`, ...l.subnets]);
    lines.push(
      `  ${dotId(l.id)} [shape=${shape}, style=dashed, label=${label}${l.impaired ? ", color=red, fontcolor=red" : ""}];`,
    );
  }
  for (let t = 0; t < g.tiers; t++) {
    const members = g.nodes
      .filter((n) => n.tier === t)
      .map((n) => n.id)
      .sort((a, b) => a.localeCompare(b, "en", { numeric: true }))
      .map(dotId);
    // Invisible edges keep a tier in name order (spine1, spine2, …).
    lines.push(`  { rank=same; ${members.join("; ")}; }`);
    if (members.length > 1) lines.push(`  ${members.join(" -- ")} [style=invis];`);
  }
  const degree = new Map<string, number>();
  for (const e of g.edges) for (const n of [e.from, e.to]) degree.set(n, (degree.get(n) ?? 0) + 1);
  const busy = new Set([...degree].filter(([, d]) => d > LABELLED_END_DEGREE).map(([n]) => n));
  for (const e of g.edges) lines.push(edgeLine(e, g.edges.length <= LABELLED_EDGES, busy));
  lines.push("}");
  return `${lines.join("\n")}\n`;
}
