/**
 * containerlab export: golden files, and every example valid against
 * containerlab's published topology schema (draft-07, checked with ajv).
 * After a deliberate change: UPDATE_GOLDEN=1 npx vitest run test/export.
 */

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { clabExport } from "../../src/export/clab.js";
import { planOfFile } from "../helpers.js";

// The schema's own annotations (markdownDescription, …) are not JSON-schema keywords: not strict.
const validate = new Ajv({ strict: false, allErrors: true }).compile(
  JSON.parse(readFileSync("test/schemas/clab.schema.json", "utf8")),
);

describe("containerlab export", () => {
  for (const example of [
    "six-routers",
    "lan",
    "dual-stack",
    "leaf-spine",
    "six-routers-mixed",
    "six-routers-vm",
  ]) {
    it(`${example}: valid against containerlab's schema, and as in its golden file`, () => {
      const text = clabExport(planOfFile(`examples/${example}.yml`), `examples/${example}.yml`);
      const ok = validate(parse(text));
      expect(validate.errors ?? [], example).toEqual([]);
      expect(ok, `${example} is valid against the schema`).toBe(true);
      const golden = `test/golden/${example}.clab.yml`;
      if (process.env.UPDATE_GOLDEN) writeFileSync(golden, text);
      expect(existsSync(golden), `${golden} is missing; UPDATE_GOLDEN=1 writes it`).toBe(true);
      expect(text, golden).toBe(readFileSync(golden, "utf8"));
    });
  }

  it("keeps the plan's MACs and addresses on the veth endpoints, and names what it leaves out", () => {
    const plan = planOfFile("examples/six-routers.yml");
    const doc = parse(clabExport(plan, "s.yml")) as {
      topology: { links: { endpoints: { node: string; mac?: string; ipv4?: string }[] }[] };
    };
    const ends = doc.topology.links.flatMap((l) => l.endpoints).filter((e) => e.mac);
    expect(ends.length).toBeGreaterThan(0);
    for (const e of ends) {
      const planned = plan.nodes
        .find((n) => n.name === e.node)
        ?.interfaces.find((i) => i.mac === e.mac);
      expect(planned?.ipv4, `${e.node} ${e.mac}`).toBe(e.ipv4);
    }
    const mixed = clabExport(planOfFile("examples/six-routers-mixed.yml"), "m.yml");
    expect(mixed).toMatch(/# Not included \(VMs are not containerlab nodes\): node rt1 \(VM\)/);
  });
});
