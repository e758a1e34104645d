/**
 * Golden files of the script export for the namespace examples. After a
 * deliberate change: UPDATE_GOLDEN=1 npx vitest run test/export.
 */

import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { scriptExport } from "../../src/export/script.js";
import { plan, planOfFile } from "../helpers.js";

describe("script export", () => {
  for (const example of ["six-routers", "lan", "dual-stack", "leaf-spine"]) {
    it(`${example}: matches its golden files and passes shellcheck`, () => {
      const files = scriptExport(planOfFile(`examples/${example}.yml`), `examples/${example}.yml`);
      for (const [name, text] of Object.entries(files)) {
        const golden = `test/golden/${example}.${name}`;
        if (process.env.UPDATE_GOLDEN) writeFileSync(golden, text);
        expect(existsSync(golden), `${golden} is missing; UPDATE_GOLDEN=1 writes it`).toBe(true);
        expect(text, golden).toBe(readFileSync(golden, "utf8"));
        // shellcheck (Debian package) exits non-zero on any finding.
        execFileSync("shellcheck", ["-s", "bash", "-"], { input: text });
      }
    });
  }

  it("refuses what a script cannot build, saying why", () => {
    expect(() => scriptExport(planOfFile("examples/six-routers-vm.yml"), "x.yml")).toThrow(
      /has VM nodes \(rt1, .*\); their script needs the guest image and ports/,
    );
    const hub = plan("nodes: [a, b, c]\nlinks: [ { a: {}, b: {}, c: {}, transport: hub } ]\n");
    expect(() => scriptExport(hub, "h.yml")).toThrow(/need wirelab's wire daemon/);
  });
});
