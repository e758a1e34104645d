import { readFile } from "node:fs/promises";
import { type Diagnostic, type DiagnosticCode, TopologyError } from "../errors.js";
import { planLab } from "../plan/plan.js";
import type { LabPlan } from "../plan/types.js";
import { type LoadedTopology, located, parseTopologyPartial } from "../topology/load.js";

/** Planner findings that a link or node dropped for an earlier problem could cause. */
const CASCADING: readonly DiagnosticCode[] = ["bad-route", "pool-exhausted", "bad-value"];

/**
 * Loads a topology file and plans it; diagnostics of both stages point into
 * the file. When the file has problems, the valid part is still planned so
 * that address clashes are reported in the same run.
 *
 * @throws {TopologyError} with every located diagnostic
 * @throws {Error} (ENOENT etc.) when the file cannot be read
 */
export async function loadAndPlan(file: string): Promise<LoadedTopology & { plan: LabPlan }> {
  return planText(await readFile(file, "utf8"), file);
}

/**
 * {@link loadAndPlan} on text: pure, no file access.
 *
 * @param text - YAML
 * @param file - name used in messages
 * @throws {TopologyError} with every located diagnostic
 */
export function planText(text: string, file: string): LoadedTopology & { plan: LabPlan } {
  const { topology, source, problems } = parseTopologyPartial(text, file);
  const all: Diagnostic[] = [...problems];
  let plan: LabPlan | undefined;
  if (topology) {
    try {
      plan = planLab(topology);
    } catch (e) {
      if (!(e instanceof TopologyError)) throw e;
      all.push(
        ...e.diagnostics.filter((d) => problems.length === 0 || !CASCADING.includes(d.code)),
      );
    }
  }
  if (all.length > 0 || !topology || !plan) throw located(source, all);
  return { topology, source, plan };
}
