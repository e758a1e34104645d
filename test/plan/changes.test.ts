import { describe, expect, it } from "vitest";
import { describeChanges, planChanges } from "../../src/plan/changes.js";
import { planText } from "../../src/plan/load-plan.js";
import type { LabPlan } from "../../src/plan/types.js";

const LAB = `
name: chg
nodes:
  a: {}
  b: {}
  c: {}
  v: { kind: vm }
links:
  - { a: { ipv4: 10.0.1.1/24 }, b: { ipv4: 10.0.1.2/24 } }
  - { b: { ipv4: 10.0.2.1/24 }, c: { ipv4: 10.0.2.2/24 } }
  - { c: { ipv4: 10.0.3.1/24 }, v: { ipv4: 10.0.3.2/24 } }
`;

/** The lab without node a and its link: everything after them moves up in the file. */
const WITHOUT_A = `
name: chg
nodes:
  b: {}
  c: {}
  v: { kind: vm }
links:
  - { b: { ipv4: 10.0.2.1/24 }, c: { ipv4: 10.0.2.2/24 } }
  - { c: { ipv4: 10.0.3.1/24 }, v: { ipv4: 10.0.3.2/24 } }
`;

const plan = (text: string, previous?: LabPlan) =>
  planText(text, "chg.yml", previous ? { previous } : {}).plan;
const ifaces = (p: LabPlan, node: string) =>
  p.nodes.find((n) => n.name === node)?.interfaces.map((i) => `${i.ifname} ${i.mac}`);
const tapLink = (p: LabPlan) => JSON.stringify(p.links.find((l) => l.transport === "tap"));

describe("an edited topology planned against the running plan", () => {
  it("keeps the MACs and host device names of what stays", () => {
    const running = plan(LAB);
    const fresh = plan(WITHOUT_A);
    const edited = plan(WITHOUT_A, running);
    // On its own the edited file shifts them (the test would see a planner that forgets)...
    expect(ifaces(fresh, "c")).not.toEqual(ifaces(running, "c"));
    // ...planned against the running lab, they stay.
    // b keeps eth2 (its link to c) even though eth1 went with a.
    expect(ifaces(edited, "b")).toEqual(ifaces(running, "b")?.slice(1));
    for (const n of ["c", "v"]) expect(ifaces(edited, n)).toEqual(ifaces(running, n));
    expect(tapLink(edited)).toBe(tapLink(running));
    const vm = (p: LabPlan) => p.nodes.find((n) => n.name === "v");
    expect(JSON.stringify(vm(edited))).toBe(JSON.stringify(vm(running)));
  });

  it("gives new interfaces MACs and names no kept one has", () => {
    const running = plan(WITHOUT_A);
    const grown = plan(
      `${LAB}  - { a: { ipv4: 10.0.4.1/24 }, v: { ipv4: 10.0.4.2/24 } }\n`,
      running,
    );
    const macs = grown.nodes.flatMap((n) => n.interfaces.map((i) => i.mac));
    expect(new Set(macs).size).toBe(macs.length);
    const taps = grown.links.flatMap((l) =>
      (l.endpoints as readonly { tap?: string; hostVeth?: string }[]).flatMap((e) =>
        [e.tap, e.hostVeth].filter(Boolean),
      ),
    );
    expect(new Set(taps).size).toBe(taps.length);
    expect(ifaces(grown, "c")).toEqual(ifaces(running, "c"));
  });

  it("is the same plan as without one when nothing changed", () => {
    const running = plan(LAB);
    expect(JSON.stringify(plan(LAB, running))).toBe(JSON.stringify(running));
  });
});

describe("planChanges", () => {
  it("lists nodes and links added, removed, changed in place and rebuilt", () => {
    const running = plan(LAB);
    const edited = plan(
      LAB.replace("  b: {}", "  b: { exec: [ 'true' ] }")
        .replace("v: { kind: vm }", "v: { kind: vm, memory: 128 }")
        .replace("10.0.1.1/24", "10.0.1.9/24")
        .concat("  - { a: { ipv4: 10.0.5.1/24 }, d: { ipv4: 10.0.5.2/24 } }\n")
        .replace("  c: {}", "  c: {}\n  d: {}"),
      running,
    );
    const lines = describeChanges(planChanges(running, edited));
    expect(lines).toContain("+ node d");
    expect(lines).toContain("+ link a-d");
    expect(lines).toContain(
      "! node b: rebuilt, its exec lines changed (they run again in a new namespace)",
    );
    expect(lines).toContain("! node v: rebuilt, QEMU cannot change its memoryMiB while it runs");
    expect(lines.some((l) => l.startsWith("~ node a (interfaces"))).toBe(true);
    expect(describeChanges(planChanges(running, running))).toEqual([]);
    const shrunk = describeChanges(planChanges(running, plan(WITHOUT_A, running)));
    expect(shrunk).toEqual(expect.arrayContaining(["- node a", "- link a-b"]));
  });
});
