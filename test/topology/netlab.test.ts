import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { TopologyError } from "../../src/errors.js";
import { planText } from "../../src/plan/load-plan.js";
import { importTopology } from "../../src/topology/import.js";

describe("netlab topologies as input", () => {
  it("maps provider, dotted defaults.device, groups and node devices to kinds", () => {
    const file = "test/fixtures/netlab-ok.yml";
    const { plan } = planText(readFileSync(file, "utf8"), file);
    expect(plan.nodes.map((n) => `${n.name}:${n.kind}`)).toEqual([
      "r1:linux",
      "r2:linux",
      "h1:linux",
    ]);
    expect(plan.nodes.find((n) => n.name === "h1")?.interfaces[0]?.ipv4).toBe("10.5.0.10/24");
  });

  it("imports to a wirelab topology that plans exactly the same", () => {
    const file = "test/fixtures/netlab-ok.yml";
    const text = readFileSync(file, "utf8");
    const imported = importTopology(text, file);
    expect(imported).toMatch(/^# wirelab topology imported from .* \(netlab\)/);
    expect(imported).not.toMatch(/device|groups|provider/);
    expect(planText(imported, "imported.yml").plan).toEqual(planText(text, file).plan);
  });

  it("makes device linux a VM under provider libvirt", () => {
    const { plan } = planText(
      "provider: libvirt\nnodes:\n  a: { device: linux }\n  b: {}\nlinks: [a-b]\n",
      "l.yml",
    );
    expect(plan.nodes.map((n) => n.kind)).toEqual(["vm", "vm"]);
  });

  it("reports modules, vendor devices and unmapped group attributes where they are written", () => {
    const file = "test/fixtures/netlab-bad.yml";
    let err: unknown;
    try {
      planText(readFileSync(file, "utf8"), file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TopologyError);
    expect((err as TopologyError).diagnostics.map((d) => `${d.code}@${d.line}:${d.col}`)).toEqual([
      "unsupported@3:1",
      "unsupported@4:18",
      "unsupported@8:5",
      "unsupported@11:16",
    ]);
  });

  it("reads groups as netlab writes them: a list of members, and _auto_create settings", () => {
    const { plan } = planText(
      "provider: libvirt\ngroups:\n  _auto_create: true\n  hosts: [h1, h2]\n  rtr:\n    members: [r1]\n    device: linux\nnodes: [h1, h2, r1]\nlinks: [h1-r1, h2-r1]\n",
      "g.yml",
    );
    expect(plan.nodes.map((n) => `${n.name}:${n.kind}`)).toEqual(["h1:vm", "h2:vm", "r1:vm"]);
  });

  it("says where a group is not a group, instead of failing", () => {
    let err: unknown;
    try {
      planText("groups:\n  g1: just a string\n  g2: { members: r1 }\nnodes: [r1]\n", "g.yml");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TopologyError);
    expect(
      (err as TopologyError).diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`),
    ).toEqual([
      '2:7 netlab group "g1" must be a map (members, device) or a list of members, got string "just a string"',
      '3:18 members of netlab group "g2" must be a list of node names, got string "r1"',
    ]);
  });
});
