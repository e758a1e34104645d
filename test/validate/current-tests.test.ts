/**
 * `validate FILE` runs the file's tests as they are now when only the tests
 * changed since `up`, and the recorded ones (saying why) otherwise.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { LabState } from "../../src/lab/state.js";
import { planText } from "../../src/plan/load-plan.js";
import { currentTests } from "../../src/validate/current-tests.js";

const dir = mkdtempSync(join(tmpdir(), "wirelab-current-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lab = (tests: string[], extraNode = "") =>
  [
    "name: wlunit-current",
    "module: [ospf]",
    "nodes:",
    "  r1:",
    "  r2:",
    extraNode,
    "links: [r1-r2]",
    "validate:",
    ...tests.map((t) => `  ${t}`),
  ].join("\n");
const adj = "adj: { nodes: [r1], plugin: ospf_neighbor(nodes.r2.ospf.router_id) }";
const lo = "lo: { nodes: [r1], plugin: ospf_prefix(nodes.r1.loopback.ipv4) }";

/** A lab recorded as built from `text` with `-d frr`. */
const built = (text: string): LabState =>
  ({
    lab: "wlunit-current",
    plan: planText(text, "t.yml", { device: "frr", env: {} }).plan,
    updated: new Date().toISOString(),
  }) as LabState;

describe("validate's tests of a changed file", () => {
  it("are the file's when only its tests changed, planned with the device the lab was built with", async () => {
    const file = join(dir, "a.yml");
    const state = built(lab([adj]));
    expect(state.plan.device).toBe("frr");
    writeFileSync(file, lab([adj, lo]));
    const notes: string[] = [];
    const plan = await currentTests(state, { file }, undefined, { info: (m) => notes.push(m) });
    expect(plan.checks?.map((c) => c.name)).toEqual(["adj", "lo"]);
    expect(plan.nodes).toEqual(state.plan.nodes);
    expect(notes).toEqual([]);
  });

  it("are the recorded ones when the lab itself changed, or the file does not load, and say so", async () => {
    const file = join(dir, "b.yml");
    const state = built(lab([adj]));
    const notes: string[] = [];
    const info = { info: (m: string) => notes.push(m) };
    writeFileSync(file, lab([adj, lo], "  r3:"));
    expect((await currentTests(state, { file }, undefined, info)).checks?.length).toBe(1);
    writeFileSync(file, `${lab([adj])}\n  bad: [`);
    expect((await currentTests(state, { file }, undefined, info)).checks?.length).toBe(1);
    expect(notes).toEqual([
      expect.stringContaining(
        "changed since the lab was built; running the tests it was built with",
      ),
      expect.stringContaining("does not load now"),
    ]);
  });

  it("are the recorded ones for a lab named, not given by its file", async () => {
    const state = built(lab([adj]));
    expect(await currentTests(state, { lab: "wlunit-current" }, undefined, undefined)).toBe(
      state.plan,
    );
  });
});
