/**
 * Labs wirelab did not build itself — e.g. by an exported `setup.sh` — but
 * whose topology file is at hand: their namespaces follow from the plan, so
 * read-only commands (`validate`) can work on them.
 */
import { resolve } from "node:path";
import type { Runner } from "../exec.js";
import { loadAndPlan } from "../plan/load-plan.js";
import { NO_PORTS } from "../plan/ports.js";
import { allProviders } from "../providers/index.js";
import { planNamespaces } from "../providers/iproute2.js";
import { listNamespaces } from "../providers/netns/kernel.js";
import type { ResolvedDeps } from "./deps.js";
import { type LabTarget, requireLab } from "./resolve.js";
import { type LabState, STATE_VERSION } from "./state.js";

/**
 * The lab's record; for a lab wirelab has no record of, one made from its
 * topology file when every namespace of its plan exists and nothing but
 * namespaces and kernel links makes it up.
 *
 * @throws {LabError} as {@link requireLab} when neither applies
 */
export async function requireLabOrUnmanaged(
  deps: ResolvedDeps,
  target: LabTarget,
  run: Runner = deps.run,
  device?: string,
): Promise<LabState> {
  try {
    return await requireLab(deps.store, target);
  } catch (e) {
    if (target.file === undefined) throw e;
    const { plan } = await loadAndPlan(target.file, device !== undefined ? { device } : {});
    const namespaces = planNamespaces(plan);
    const present = await listNamespaces(run);
    const unfindable = allProviders(deps).filter((p) => !p.findableByName && p.uses(plan));
    if (unfindable.length > 0 || !namespaces.every((n) => present.has(n))) throw e;
    return {
      version: STATE_VERSION,
      lab: plan.lab,
      file: resolve(target.file),
      status: "up",
      plan,
      ports: NO_PORTS,
      owned: [],
      updated: new Date().toISOString(),
    };
  }
}
