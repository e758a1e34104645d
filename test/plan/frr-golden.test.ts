/**
 * The FRR configuration wirelab generates from netlab's modules: every FRR
 * node of every netlab fixture, as in its golden file, and every golden file
 * accepted by FRR's own parser (`vtysh --dryrun -f FILE`, FRR docs, "VTY
 * shell"), so a golden file cannot hold a command FRR 8.4 rejects.
 * After a deliberate change: UPDATE_GOLDEN=1 npx vitest run test/plan/frr-golden.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { describe, expect, it } from "vitest";
import { planOfFile } from "../helpers.js";

const fixtures = ["test/fixtures/netlab", "test/fixtures/netlab/config"].flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".yml"))
    .map((f) => `${dir}/${f}`),
);

/** FRR's verdict on a configuration file: undefined when it parses. */
function frrRejects(file: string): string | undefined {
  try {
    execFileSync("vtysh", ["--dryrun", "-f", file], { stdio: "pipe" });
    return undefined;
  } catch (e) {
    const err = e as { stdout?: Buffer; stderr?: Buffer; message: string };
    return `${err.stdout ?? ""}${err.stderr ?? ""}`.trim() || err.message;
  }
}

describe("generated FRR configuration", () => {
  it("covers the fixtures", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(8);
  });

  for (const file of fixtures) {
    it(`${file}: every FRR node as in its golden file, and FRR parses it`, () => {
      const plan = planOfFile(file);
      const dir = `test/golden/frr/${basename(file, ".yml")}`;
      if (process.env.UPDATE_GOLDEN) mkdirSync(dir, { recursive: true });
      const routers = plan.nodes.filter((n) => n.device?.name === "frr");
      expect(routers.length, "routers in the fixture").toBeGreaterThan(0);
      for (const node of routers) {
        const text = node.device && "generated" in node.device ? node.device.generated : undefined;
        expect(text, `${node.name} has a generated configuration`).toBeTypeOf("string");
        const golden = `${dir}/${node.name}.conf`;
        if (process.env.UPDATE_GOLDEN) writeFileSync(golden, text ?? "");
        expect(existsSync(golden), `${golden} is missing; UPDATE_GOLDEN=1 writes it`).toBe(true);
        expect(text, golden).toBe(readFileSync(golden, "utf8"));
        expect(frrRejects(golden), `FRR on ${golden}`).toBeUndefined();
      }
      // No stale golden file for a router that is gone.
      const names = routers.map((n) => `${n.name}.conf`).sort();
      expect(readdirSync(dir).sort(), dir).toEqual(names);
    });
  }
});
