import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { TopologyError } from "../../src/errors.js";
import { importTopology } from "../../src/export/import.js";
import { planText } from "../../src/plan/load-plan.js";

const problems = (text: string, file = "t.yml"): string[] => {
  try {
    planText(text, file, { env: {} });
    return [];
  } catch (e) {
    if (!(e instanceof TopologyError)) throw e;
    return e.diagnostics.map((d) => `${d.code}@${d.line}:${d.col}`);
  }
};

describe("netlab topologies as input", () => {
  it("maps provider, dotted defaults.device, groups and node devices to kinds and devices", () => {
    const file = "test/fixtures/netlab-ok.yml";
    const { plan } = planText(readFileSync(file, "utf8"), file, { env: {} });
    expect(plan.format).toBe("netlab");
    expect(plan.nodes.map((n) => `${n.name}:${n.kind}:${n.device?.name}`)).toEqual([
      "r1:linux:linux",
      "r2:linux:linux",
      "h1:linux:linux",
    ]);
    // netlab's rules: a link of hosts is a LAN, numbered by node ID.
    const r2 = plan.nodes.find((n) => n.name === "r2");
    expect(r2?.interfaces[0]?.ipv4).toBe("172.16.0.2/24");
    expect(plan.nodes.find((n) => n.name === "h1")?.interfaces[0]?.ipv4).toBe("10.5.0.10/24");
  });

  it("imports to a wirelab topology that plans the same lab", () => {
    const file = "test/fixtures/netlab-ok.yml";
    const text = readFileSync(file, "utf8");
    const imported = importTopology(text, file, undefined, { env: {} });
    expect(imported).toMatch(/^# wirelab topology imported from .* \(netlab\)/);
    expect(imported).not.toMatch(/groups|provider/);
    const { format: _format, ...original } = planText(text, file, { env: {} }).plan;
    const again = planText(imported, "imported.yml", { env: {} }).plan;
    // netlab gives the last link a pool's prefix although its ends write addresses of another subnet.
    expect(original.links[1]?.subnets).toEqual({ ipv4: "172.16.1.0/24" });
    expect(again.links[1]?.subnets).toEqual({ ipv4: "10.5.0.0/24" });
    const withoutSubnets = (p: typeof again) => ({
      ...p,
      links: p.links.map((l) => ({ ...l, subnets: {} })),
    });
    expect(withoutSubnets(again)).toEqual(withoutSubnets(original));
  });

  it("makes nodes VMs under provider libvirt", () => {
    const { plan } = planText(
      "provider: libvirt\ndefaults.device: linux\nnodes:\n  a: { device: linux }\n  b: {}\nlinks: [a-b]\n",
      "l.yml",
      { env: {} },
    );
    expect(plan.nodes.map((n) => n.kind)).toEqual(["vm", "vm"]);
  });

  it("reports vendor devices, netlab modules wirelab does not run and what they need, where they are written", () => {
    const file = "test/fixtures/netlab-bad.yml";
    let err: unknown;
    try {
      planText(readFileSync(file, "utf8"), file, { env: {} });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TopologyError);
    expect((err as TopologyError).diagnostics.map((d) => `${d.code}@${d.line}:${d.col}`)).toEqual([
      "unsupported@4:18",
      "bad-value@8:13",
      "unsupported@11:16",
    ]);
  });

  it("reads groups as netlab writes them: a list of members, and _auto_create settings", () => {
    const { plan } = planText(
      "provider: libvirt\ndefaults.device: linux\ngroups:\n  _auto_create: true\n  hosts: [h1, h2]\n  rtr:\n    members: [r1]\n    device: linux\nnodes: [h1]\nlinks: [h1-r1, h2-r1]\n",
      "g.yml",
      { env: {} },
    );
    expect(plan.nodes.map((n) => `${n.name}:${n.kind}`)).toEqual(["h1:vm", "h2:vm", "r1:vm"]);
  });

  it("says where a group is not a group, instead of failing", () => {
    let err: unknown;
    try {
      planText(
        "defaults.device: linux\ngroups:\n  g1: just a string\n  g2: { members: r1 }\nnodes: [r1]\n",
        "g.yml",
        { env: {} },
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TopologyError);
    expect(
      (err as TopologyError).diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`),
    ).toEqual([
      '3:7 group "g1" is a map (members and attributes) or a list of members, got string "just a string"',
      '4:18 members of group "g2" are a list of node names, got string "r1"',
    ]);
  });

  it("needs a device for every node, as netlab does: the node's, its group's, defaults.device, -d or NETLAB_DEVICE", () => {
    expect(problems("module: [ospf]\nnodes: [a, b]\nlinks: [a-b]\n")).toEqual([
      "bad-value@2:9",
      "bad-value@2:12",
    ]);
    const text = "module: [ospf]\nnodes: [a, b]\nlinks: [a-b]\n";
    const device = (opts: { device?: string; env?: Record<string, string> }) =>
      planText(text, "t.yml", { env: {}, ...opts }).plan.nodes.map((n) => n.device?.name);
    expect(device({ device: "frr" })).toEqual(["frr", "frr"]);
    expect(device({ env: { NETLAB_DEVICE: "frr" } })).toEqual(["frr", "frr"]);
    const withDefault =
      "defaults.device: linux\nmodule: [ospf]\nnodes:\n  a: { device: frr }\n  b:\nlinks: [a-b]\n";
    // -d wins over the file's defaults.device (netlab's order); a node's own device wins over both.
    expect(
      planText(withDefault, "t.yml", { env: {}, device: "frr" }).plan.nodes.map(
        (n) => n.device?.name,
      ),
    ).toEqual(["frr", "frr"]);
    expect(
      planText(withDefault, "t.yml", { env: {} }).plan.nodes.map((n) => n.device?.name),
    ).toEqual(["frr", "linux"]);
  });
});
