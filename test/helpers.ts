import { type Diagnostic, TopologyError } from "../src/errors.js";
import { planText } from "../src/lab/load-plan.js";
import type { LabPlan } from "../src/plan/types.js";

/** Plans YAML text; fails the test with the diagnostics if it is invalid. */
export function plan(yaml: string): LabPlan {
  try {
    return planText(yaml, "t.yml").plan;
  } catch (e) {
    if (e instanceof TopologyError) throw new Error(e.message);
    throw e;
  }
}

/** The diagnostics YAML text produces (empty when it is valid). */
export function problems(yaml: string): Diagnostic[] {
  try {
    planText(yaml, "t.yml");
    return [];
  } catch (e) {
    if (e instanceof TopologyError) return [...e.diagnostics];
    throw e;
  }
}

/** `code@line:col` of each diagnostic, for compact assertions. */
export function where(yaml: string): string[] {
  return problems(yaml).map((d) => `${d.code}@${d.line}:${d.col}`);
}
