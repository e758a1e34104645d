/**
 * Where each node and LAN of a picture sits: Graphviz lays out the same
 * DOT text `wirelab graph` writes (`dot -Tjson`, graphviz.org "Output
 * Formats", json: `objects[].name` and `pos` "x,y" in points, y upwards),
 * so the live page shows the picture the SVG shows, tiers included.
 */

import { WirelabError } from "../errors.js";
import type { Runner } from "../exec.js";
import { toDot } from "./dot.js";
import type { LabGraph } from "./model.js";

/** A position in points, y downwards (screen coordinates). */
export interface Point {
  readonly x: number;
  readonly y: number;
}

interface DotJson {
  readonly bb?: string;
  readonly objects?: readonly {
    readonly name?: string;
    readonly pos?: string;
    readonly nodes?: unknown;
  }[];
}

/**
 * Positions of every node and LAN of `g` by id.
 *
 * @throws {CommandError} when `dot` fails
 * @throws {WirelabError} when its output has no position for a node (a Graphviz too old for `-Tjson`)
 */
export async function layoutOf(g: LabGraph, run: Runner): Promise<Map<string, Point>> {
  const r = await run("dot", ["-Tjson"], { input: toDot(g) });
  const out = JSON.parse(r.stdout) as DotJson;
  const height = Number((out.bb ?? "0,0,0,0").split(",")[3] ?? 0);
  const at = new Map<string, Point>();
  for (const o of out.objects ?? []) {
    // Subgraphs (a tier's rank=same) are objects too, with their node list and no position.
    if (o.nodes !== undefined || o.name === undefined || o.pos === undefined) continue;
    const [x, y] = o.pos.split(",").map(Number);
    if (x === undefined || y === undefined || Number.isNaN(x) || Number.isNaN(y)) continue;
    at.set(o.name, { x, y: height - y });
  }
  const ids = [...g.nodes.map((n) => n.id), ...g.lans.map((l) => l.id)];
  const lost = ids.filter((id) => !at.has(id));
  if (lost.length)
    throw new WirelabError(
      `Graphviz's dot -Tjson gave no position for ${lost.join(", ")}; wirelab needs Graphviz 2.40 or later (Debian package graphviz)`,
    );
  return at;
}
