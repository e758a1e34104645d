import { TopologyError } from "../errors.js";
import { planLab } from "../plan/plan.js";
import type { LabPlan } from "../plan/types.js";
import { located, loadTopologyFile, type LoadedTopology } from "../topology/load.js";

/**
 * Loads a topology file and plans it; diagnostics of either stage point into the file.
 *
 * @throws {TopologyError} with located diagnostics
 */
export async function loadAndPlan(file: string): Promise<LoadedTopology & { plan: LabPlan }> {
  const loaded = await loadTopologyFile(file);
  try {
    return { ...loaded, plan: planLab(loaded.topology) };
  } catch (e) {
    if (e instanceof TopologyError) throw located(loaded.source, e.diagnostics);
    throw e;
  }
}
