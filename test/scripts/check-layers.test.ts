import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Runs the layer check on a source tree made of the given files. */
function check(files: Record<string, string>): { code: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), "wirelab-layers-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const r = spawnSync(process.execPath, ["scripts/check-layers.mjs", `${dir}/`], {
    encoding: "utf8",
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe("layer check", () => {
  it("passes imports that point down", () => {
    const r = check({
      "errors.ts": "export const e = 1;\n",
      "plan/a.ts": 'import { e } from "../errors.js";\nexport const a = e;\n',
      "lab/b.ts": 'import { a } from "../plan/a.js";\nexport const b = a;\n',
    });
    expect(r.out).toContain("every import points down");
    expect(r.code).toBe(0);
  });

  it("fails on an import from a higher layer, naming both files", () => {
    const r = check({
      "plan/a.ts": 'import { b } from "../lab/b.js";\nexport const a = b;\n',
      "lab/b.ts": "export const b = 1;\n",
    });
    expect(r.code).toBe(1);
    expect(r.out).toContain("src/plan/a.ts (layer 2) imports src/lab/b.ts (layer 4)");
  });

  it("fails when the CLI reaches past the library's index", () => {
    const r = check({
      "index.ts": 'export { b } from "./lab/b.js";\n',
      "lab/b.ts": "export const b = 1;\n",
      "cli/main.ts": 'import { b } from "../lab/b.js";\nexport const m = b;\n',
    });
    expect(r.code).toBe(1);
    expect(r.out).toContain("the CLI imports only src/index.ts");
  });
});
