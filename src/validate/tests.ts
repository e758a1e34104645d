/**
 * The tests `validate` runs: those the topology declares, then a ping of
 * every directly connected neighbour over each link and address family.
 */
import { stripLength } from "../ip.js";
import { runsCommands } from "../plan/kinds/index.js";
import type { LabPlan, TestPlan } from "../plan/types.js";

/** A test with where it came from. */
export interface ValidationTest extends TestPlan {
  /** `declared` under `validate:`, or `neighbour` (generated). */
  readonly origin: "declared" | "neighbour";
}

/**
 * @param plan - the running lab's plan
 * @param neighbours - add neighbour pings @default true
 */
export function validationTests(plan: LabPlan, neighbours = true): ValidationTest[] {
  const out: ValidationTest[] = plan.tests.map((t) => ({ ...t, origin: "declared" as const }));
  if (!neighbours) return out;
  // Nodes wirelab cannot run ping in (a user's image) neither ping nor are pinged.
  const agentless = new Set(plan.nodes.filter((n) => !runsCommands(n)).map((n) => n.name));
  const ifaces = new Map(
    plan.nodes.flatMap((n) => n.interfaces.map((i) => [`${n.name}:${i.ifname}`, i] as const)),
  );
  for (const link of plan.links) {
    for (const a of link.endpoints) {
      for (const b of link.endpoints) {
        if (a === b || agentless.has(a.node) || agentless.has(b.node)) continue;
        const ia = ifaces.get(`${a.node}:${a.ifname}`);
        const ib = ifaces.get(`${b.node}:${b.ifname}`);
        // A link left down has no neighbour to ping.
        if (ia?.shutdown || ib?.shutdown) continue;
        for (const family of ["ipv4", "ipv6"] as const) {
          const target = ib?.[family];
          // An unnumbered interface holds its node's loopback: no neighbour's subnet to ping on.
          if (ia?.unnumbered?.[family] || ib?.unnumbered?.[family]) continue;
          if (!ia?.[family] || !target) continue;
          out.push({
            name: `${a.node} ${a.ifname} → ${b.node} ${b.ifname} (${link.name})`,
            from: a.node,
            target: stripLength(target),
            targetNode: b.node,
            family,
            expect: "success",
            origin: "neighbour",
          });
        }
      }
    }
  }
  return out;
}
