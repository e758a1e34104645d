/**
 * `wirelab import` of netlab files with routing modules: the wirelab
 * topology it writes plans the same lab — every router's generated FRR
 * configuration, every interface, every host route and every test.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { importTopology } from "../../src/export/import.js";
import { planText } from "../../src/plan/load-plan.js";

const fixtures = ["test/fixtures/netlab", "test/fixtures/netlab/config"].flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".yml"))
    .map((f) => `${dir}/${f}`),
);

describe("import of netlab files with modules", () => {
  for (const file of fixtures) {
    it(`${file}: the imported topology plans the same routers, interfaces, routes and tests`, () => {
      const text = readFileSync(file, "utf8");
      const imported = importTopology(text, file, undefined, { env: {} });
      expect(imported).toMatch(/^# wirelab topology imported from .* \(netlab\)/);
      const before = planText(text, file, { env: {} }).plan;
      const after = planText(imported, "imported.yml", { env: {} }).plan;
      expect(after.format ?? "wirelab").toBe("wirelab");
      const nodes = (p: typeof before) =>
        p.nodes.map((n) => ({
          name: n.name,
          device: n.device,
          interfaces: n.interfaces,
          routes: n.routes,
          loopback: n.loopback,
        }));
      expect(nodes(after)).toEqual(nodes(before));
      expect(after.checks).toEqual(before.checks);
    });
  }
});
