import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { TopologyError } from "../../src/errors.js";
import { importTopology } from "../../src/export/import.js";
import { planText } from "../../src/plan/load-plan.js";

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
      "unsupported@6:32",
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

describe("containerlab FRR labs as they are", () => {
  const file = "test/fixtures/clab-frr/frr.clab.yml";
  const dir = resolve("test/fixtures/clab-frr");

  it("an FRR image makes a router whose binds are its files; other images run the host's programs, said once", () => {
    const { plan, notes } = planText(readFileSync(file, "utf8"), file);
    expect(plan.nodes.map((n) => [n.name, n.device])).toEqual([
      [
        "router1",
        { name: "frr", config: `${dir}/router1/frr.conf`, daemons: `${dir}/router1/daemons` },
      ],
      [
        "router2",
        { name: "frr", config: `${dir}/router2/frr.conf`, daemons: `${dir}/router2/daemons` },
      ],
      ["PC1", { name: "linux" }],
      ["PC2", { name: "linux" }],
    ]);
    expect(plan.nodes.find((n) => n.name === "PC2")?.exec).toEqual([
      "ip addr add 192.168.12.2/24 dev eth1",
      "ip route add 192.168.0.0/16 via 192.168.12.1 dev eth1",
    ]);
    // No pool addresses: the routers' configurations and the PCs' exec lines give them.
    expect(plan.nodes.flatMap((n) => n.interfaces.map((i) => i.ipv4 ?? "-"))).toEqual([
      "-",
      "-",
      "-",
      "-",
      "-",
      "-",
    ]);
    expect(notes).toEqual([
      "image \"wbitt/network-multitool:alpine-minimal\" is not run: wirelab's namespace nodes use the host's programs (install what the image had with apt)",
    ]);
  });

  it("refuses binds it cannot map, at the bind", () => {
    const text = `name: x
topology:
  nodes:
    r1:
      kind: linux
      image: quay.io/frrouting/frr:10.2.1
      binds: [ "r1/zebra.conf:/etc/frr/zebra.conf", "r1/x:/root/x" ]
    h1:
      kind: linux
      image: alpine
      binds: [ "h1/frr.conf:/etc/frr/frr.conf" ]
`;
    let err: unknown;
    try {
      planText(text, "x.clab.yml");
    } catch (e) {
      err = e;
    }
    const found = (err as TopologyError).diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`);
    expect(found).toEqual([
      expect.stringMatching(
        /^7:16: bind onto \/etc\/frr\/zebra\.conf is not mapped: wirelab runs a router from/,
      ),
      expect.stringMatching(/^7:53: bind onto \/root\/x is not mapped: a router's files are/),
      expect.stringMatching(
        /^11:16: bind onto \/etc\/frr\/frr\.conf is not mapped: nodes run the host's programs and files; FRR's files need an FRR image/,
      ),
    ]);
  });

  it("imports with the routers' files relative to the new file, planning the same", () => {
    const text = readFileSync(file, "utf8");
    const out = join(dir, "..", "imported", "frr.yml");
    const imported = importTopology(text, file, out);
    expect(imported).toContain("config: ../clab-frr/router1/frr.conf");
    expect(imported).toContain("device: frr");
    expect(imported).toContain("- ip addr add 192.168.11.2/24 dev eth1");
    const again = planText(imported, out).plan;
    expect(again.nodes).toEqual(planText(text, file).plan.nodes);
  });
});

describe("containerlab sysctls", () => {
  it("IP forwarding becomes forwarding; another sysctl is an error at its key", () => {
    const text =
      'name: s\ntopology:\n  nodes:\n    r1: { kind: linux, sysctls: { net.ipv4.ip_forward: 1 } }\n    r2: { kind: linux, sysctls: { net.ipv4.ip_forward: 0, "net.core.somaxconn": 64 } }\n';
    let err: unknown;
    try {
      planText(text, "s.clab.yml");
    } catch (e) {
      err = e;
    }
    expect(
      (err as TopologyError).diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`),
    ).toEqual([expect.stringMatching(/^5:59: sysctl "net.core.somaxconn" is not mapped/)]);
    const ok = planText(text.replace(/, "net.core.somaxconn": 64/, ""), "s.clab.yml").plan;
    expect(ok.nodes.map((n) => n.forwarding)).toEqual([true, false]);
  });
});
