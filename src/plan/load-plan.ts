/**
 * A topology file to a plan in one step: load, validate, plan, with every
 * problem of both stages located in the file.
 */
import type { Diagnostic } from "../errors.js";
import { defaultRunner, type Runner } from "../exec.js";
import { type LoadedTopology, located, parseTopologyPartial } from "../topology/load.js";
import { outsideDevice } from "../topology/mechanics/defaults.js";
import type { LoadOptions } from "../topology/mechanics/index.js";
import { readTopologyText } from "../topology/read.js";
import { planTopology } from "./plan.js";
import { checkRouterFiles } from "./router-files.js";
import type { LabPlan } from "./types.js";

/**
 * Loads a topology file and plans it; diagnostics of both stages point into
 * the file. When the file has problems, the valid part is still planned so
 * that address clashes and transports are reported in the same run.
 *
 * @throws {TopologyError} with every located diagnostic
 * @throws {TopologyError} when the file cannot be read (missing, a folder, too large)
 * @throws {TopologyError} when a router's `config:` or `daemons:` file is missing or FRR rejects it
 */
export async function loadAndPlan(
  file: string,
  options: { readonly run?: Runner } & PlanTextOptions = {},
): Promise<LoadedTopology & { plan: LabPlan }> {
  const loaded = planText(await readTopologyText(file), file, options);
  // The files a router names are read, and checked by FRR, only now: planning text stays pure.
  const problems: Diagnostic[] = [];
  await checkRouterFiles(loaded.topology, options.run ?? defaultRunner, problems);
  if (problems.length > 0) throw located(loaded.source, problems);
  return loaded;
}

/** Options of {@link planText}. */
export interface PlanTextOptions extends LoadOptions {
  /** The plan the lab runs, when it runs: what it still has keeps its names and MACs. */
  readonly previous?: LabPlan;
}

/**
 * {@link loadAndPlan} on text: pure, no file access.
 *
 * @param text - YAML
 * @param file - name used in messages
 * @throws {TopologyError} with every located diagnostic
 */
export function planText(
  text: string,
  file: string,
  options: PlanTextOptions = {},
): LoadedTopology & { plan: LabPlan } {
  const { topology, source, problems, notes } = parseTopologyPartial(text, file, options);
  const all: Diagnostic[] = [...problems];
  const plan = topology
    ? planTopology(topology, all, {
        incomplete: problems.length > 0,
        ...(options.previous ? { previous: options.previous } : {}),
      })
    : undefined;
  if (all.length > 0 || !topology || !plan) throw located(source, all);
  const device = outsideDevice(options);
  return { topology, source, plan: device !== undefined ? { ...plan, device } : plan, notes };
}
