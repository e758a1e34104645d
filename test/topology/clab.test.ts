import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { TopologyError } from "../../src/errors.js";
import { planText } from "../../src/plan/load-plan.js";
import { importTopology } from "../../src/topology/import.js";

const ok = "test/fixtures/clab-ok.clab.yml";
const bad = "test/fixtures/clab-bad.clab.yml";

describe("containerlab topologies as input", () => {
  it("plans linux nodes, veth links with their addresses, and a bridge as a LAN", () => {
    const { plan } = planText(readFileSync(ok, "utf8"), ok);
    expect(plan.lab).toBe("clab-ok");
    expect(plan.links.map((l) => `${l.name}:${l.type}:${l.transport}`)).toEqual([
      "r1-r2:p2p:veth",
      "r1-h1:p2p:veth",
      "sw:lan:bridge",
    ]);
    const r1 = plan.nodes.find((n) => n.name === "r1");
    expect(r1?.interfaces.find((i) => i.ifname === "eth2")?.ipv4).toBe("10.9.9.1/24");
  });

  it("imports to a wirelab topology that plans exactly the same", () => {
    const text = readFileSync(ok, "utf8");
    const imported = importTopology(text, ok);
    expect(imported).toMatch(/^# wirelab topology imported from/);
    expect(planText(imported, "imported.yml").plan).toEqual(planText(text, ok).plan);
  });

  it("reports what it cannot map at its line and column in the containerlab file", () => {
    let err: unknown;
    try {
      planText(readFileSync(bad, "utf8"), bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TopologyError);
    const where = (err as TopologyError).diagnostics.map((d) => `${d.code}@${d.line}:${d.col}`);
    expect(where).toEqual([
      "unsupported@5:17",
      "unsupported@6:24",
      "unknown-node@9:30",
      "unsupported@10:13",
    ]);
    expect((err as TopologyError).diagnostics[0]?.message).toContain('kind "nokia_srlinux"');
  });

  it("refuses to import a file that is already wirelab's", () => {
    expect(() => importTopology(readFileSync("examples/lan.yml", "utf8"), "lan.yml")).toThrow(
      /neither a containerlab .* nor a netlab topology/,
    );
  });
});
