/**
 * `wirelab graph`: a lab's picture from its plan (a file, or the plan a
 * running lab runs), as DOT, SVG (Graphviz's `dot -Tsvg`), Mermaid or JSON.
 * Needs no root and no running lab.
 */
import { type LabDeps, resolveDeps } from "../lab/deps.js";
import { requireLab } from "../lab/resolve.js";
import { loadAndPlan } from "../plan/load-plan.js";
import type { LabPlan } from "../plan/types.js";
import { toDot } from "./dot.js";
import type { GraphFormat } from "./formats.js";
import { toMermaid } from "./mermaid.js";
import { type LabGraph, labGraph } from "./model.js";

export type { GraphFormat } from "./formats.js";

/** Options of {@link graphOf}. */
export interface GraphOptions extends LabDeps {
  /** Device of nodes that name none (netlab's `-d`). */
  readonly device?: string;
}

/** The picture of a plan in a text format (`svg` needs {@link renderSvg}). */
export function graphText(plan: LabPlan, format: Exclude<GraphFormat, "svg">): string {
  const g: LabGraph = labGraph(plan);
  if (format === "dot") return toDot(g);
  if (format === "mermaid") return toMermaid(g);
  return `${JSON.stringify(g, null, 2)}\n`;
}

/**
 * A lab's picture: from `file`'s plan, or from the plan a running lab runs.
 *
 * @returns the text (SVG included)
 * @throws {TopologyError} for an invalid topology file
 * @throws {LabError} for a lab that is not up
 * @throws {WirelabError} for `svg` without Graphviz's `dot` (naming the package)
 * @throws {CommandError} when `dot` fails
 */
export async function graphOf(
  source: { readonly file: string } | { readonly lab?: string },
  format: GraphFormat,
  options: GraphOptions = {},
): Promise<string> {
  const deps = resolveDeps(options);
  const plan =
    "file" in source
      ? (
          await loadAndPlan(source.file, {
            ...(options.device !== undefined ? { device: options.device } : {}),
          })
        ).plan
      : (await requireLab(deps.store, source.lab ? { lab: source.lab } : {})).plan;
  if (format !== "svg") return graphText(plan, format);
  deps.preflight.requireTools(["dot"]);
  const r = await deps.run("dot", ["-Tsvg"], { input: graphText(plan, "dot") });
  return r.stdout;
}
