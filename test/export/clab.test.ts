/**
 * containerlab export: golden files, and every example valid against
 * containerlab's published topology schema (draft-07, checked with ajv).
 * After a deliberate change: UPDATE_GOLDEN=1 npx vitest run test/export.
 */

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { clabExport, clabRouterFiles } from "../../src/export/clab.js";
import { planText } from "../../src/plan/load-plan.js";
import { routerFileTexts } from "../../src/providers/router-files.js";
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

  it("ospf-triangle: routers run FRR's image with their files bound, exec lines follow wirelab's own; valid, as in its golden file", async () => {
    const plan = planOfFile("examples/ospf-triangle.yml");
    const routers = new Map<string, Record<string, string>>();
    for (const n of plan.nodes)
      if (n.device?.name === "frr")
        routers.set(n.name, (await routerFileTexts(n.name, n.device)).files);
    const text = clabExport(plan, "examples/ospf-triangle.yml", routers);
    expect(validate(parse(text)), JSON.stringify(validate.errors)).toBe(true);
    const golden = "test/golden/ospf-triangle.clab.yml";
    if (process.env.UPDATE_GOLDEN) writeFileSync(golden, text);
    expect(text, golden).toBe(readFileSync(golden, "utf8"));
    const r1 = (
      parse(text) as { topology: { nodes: Record<string, { image: string; binds?: string[] }> } }
    ).topology.nodes.r1;
    expect(r1?.image).toBe("quay.io/frrouting/frr:8.4.1");
    expect(r1?.binds).toEqual([
      "r1/daemons:/etc/frr/daemons",
      "r1/frr.conf:/etc/frr/frr.conf",
      "r1/vtysh.conf:/etc/frr/vtysh.conf",
    ]);
    expect(clabRouterFiles(routers)["r1/frr.conf"]).toBe(
      readFileSync("examples/ospf-triangle/r1.conf", "utf8"),
    );
    // exec lines after wirelab's own (the loopback first).
    const withExec = clabExport(
      planText('nodes:\n  a: { loopback: 10.0.0.9, exec: ["ip link set lo mtu 1500"] }\n', "x.yml")
        .plan,
      "x.yml",
    );
    expect(withExec).toContain(
      "exec:\n        - ip address add 10.0.0.9/32 dev lo\n        - ip link set lo mtu 1500",
    );
  });

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
