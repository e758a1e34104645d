/**
 * What differs between two plans of one lab, in words, for `up` of a
 * changed topology.
 */
import { keysDiffering } from "./differing.js";
import type { LabPlan } from "./types.js";

/**
 * @param before - the plan the lab runs
 * @param after - the plan of the topology as it is now
 * @returns one line per difference; empty when the plans are equal
 */
export function diffPlans(before: LabPlan, after: LabPlan): string[] {
  const out: string[] = [];
  const compare = <T extends { name: string }>(
    what: string,
    a: readonly T[],
    b: readonly T[],
  ): void => {
    const old = new Map(a.map((x) => [x.name, x]));
    const now = new Map(b.map((x) => [x.name, x]));
    for (const [name, x] of now) {
      const o = old.get(name);
      if (!o) out.push(`+ ${what} ${name}`);
      else if (JSON.stringify(o) !== JSON.stringify(x))
        out.push(`~ ${what} ${name}${changedKeys(o, x)}`);
    }
    for (const name of old.keys()) if (!now.has(name)) out.push(`- ${what} ${name}`);
  };
  compare("node", before.nodes, after.nodes);
  compare("link", before.links, after.links);
  if (out.length === 0 && JSON.stringify(before) !== JSON.stringify(after))
    out.push("~ lab settings");
  return out;
}

function changedKeys(a: object, b: object): string {
  const changed = keysDiffering(a, b);
  return changed.length ? ` (${changed.join(", ")})` : "";
}
