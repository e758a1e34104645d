/**
 * Which tests `validate FILE` runs: the file's as it is now, when only its
 * tests changed since the lab was built (a test edited or added is run
 * without rebuilding the lab), else the ones the lab was built with.
 */

import type { LabTarget } from "../lab/resolve.js";
import type { LabState } from "../lab/state.js";
import type { Reporter } from "../log.js";
import { diffPlans } from "../plan/diff.js";
import { loadAndPlan } from "../plan/load-plan.js";
import type { LabPlan } from "../plan/types.js";

/** A plan without its tests, for comparing the lab itself. */
function labOnly(plan: LabPlan): LabPlan {
  const { checks: _checks, ...rest } = plan;
  return { ...rest, tests: [] };
}

/**
 * @param device - netlab's `-d` given now (default: the one the lab was planned with)
 * @param reporter - told when the file cannot be used (it changed the lab, or no longer loads)
 * @returns the recorded plan with the file's tests, or the recorded plan as it is
 */
export async function currentTests(
  state: LabState,
  target: LabTarget,
  device: string | undefined,
  reporter: Reporter | undefined,
): Promise<LabPlan> {
  if (target.file === undefined) return state.plan;
  let now: LabPlan;
  // The device the lab was planned with, unless one is given now.
  const outside = device ?? state.plan.device;
  try {
    now = (
      await loadAndPlan(target.file, outside !== undefined ? { device: outside, env: {} } : {})
    ).plan;
  } catch (e) {
    reporter?.info?.(
      `${target.file} does not load now (${(e as Error).message.split("\n")[0]}); running the tests the lab was built with`,
    );
    return state.plan;
  }
  if (now.lab !== state.plan.lab) return state.plan;
  if (diffPlans(labOnly(state.plan), labOnly(now)).length > 0) {
    reporter?.info?.(
      `${target.file} changed since the lab was built; running the tests it was built with (down and up to build the changed lab)`,
    );
    return state.plan;
  }
  const { checks: _old, ...plan } = state.plan;
  return { ...plan, tests: now.tests, ...(now.checks ? { checks: now.checks } : {}) };
}
