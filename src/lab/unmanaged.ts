/**
 * Labs wirelab did not build itself — e.g. by an exported `setup.sh` — but
 * whose topology file is at hand: their namespaces follow from the plan, so
 * read-only commands (`validate`) can work on them.
 */
import { resolve } from "node:path";
import { defaultRunner, type Runner } from "../exec.js";
import { listNamespaces } from "../providers/netns/kernel.js";
import { planNamespaces } from "../providers/netns/provider.js";
import { loadAndPlan } from "./load-plan.js";
import { type LabTarget, requireLab } from "./resolve.js";
import { type LabState, STATE_VERSION, type StateStore } from "./state.js";

/**
 * The lab's record; for a lab wirelab has no record of, one made from its
 * topology file when every namespace of its plan exists (namespace labs only).
 *
 * @throws {LabError} as {@link requireLab} when neither applies
 */
export async function requireLabOrUnmanaged(
  store: StateStore,
  target: LabTarget,
  run: Runner = defaultRunner,
): Promise<LabState> {
  try {
    return await requireLab(store, target);
  } catch (e) {
    if (target.file === undefined) throw e;
    const { plan } = await loadAndPlan(target.file);
    const namespaces = planNamespaces(plan);
    const present = await listNamespaces(run);
    if (plan.nodes.some((n) => n.vm) || !namespaces.every((n) => present.has(n))) throw e;
    return {
      version: STATE_VERSION,
      lab: plan.lab,
      file: resolve(target.file),
      status: "up",
      plan,
      namespaces,
      updated: new Date().toISOString(),
    };
  }
}
