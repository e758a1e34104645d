import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { planOfFile } from "../helpers.js";

describe("six-routers example", () => {
  const plan = planOfFile("examples/six-routers.yml");

  it("names namespaces after lab and node", () => {
    expect(plan.nodes.map((n) => (n.kind === "linux" ? n.namespace : undefined))).toEqual([
      "wl-six-routers-rt1",
      "wl-six-routers-rt2",
      "wl-six-routers-rt3",
      "wl-six-routers-rt4",
      "wl-six-routers-h1",
      "wl-six-routers-h2",
      "wl-six-routers-htest",
    ]);
    expect(plan.labNamespace).toBe("wl-six-routers");
  });

  it("keeps the written addresses, interface order from eth1", () => {
    const rt1 = plan.nodes.find((n) => n.name === "rt1");
    expect(rt1?.interfaces.map((i) => [i.ifname, i.ipv4, i.link])).toEqual([
      ["eth1", "10.20.10.1/24", "br1"],
      ["eth2", "10.20.20.1/24", "br2"],
      ["eth3", "10.20.30.1/24", "br3"],
    ]);
    const rt4 = plan.nodes.find((n) => n.name === "rt4");
    expect(rt4?.interfaces.map((i) => i.ipv4)).toEqual([
      "10.20.40.1/24",
      "10.20.50.1/24",
      "10.20.60.1/24",
    ]);
  });

  it("puts br1 on a bridge and the other links on vEth pairs", () => {
    expect(plan.links.map((l) => [l.name, l.transport])).toEqual([
      ["br1", "bridge"],
      ["br2", "veth"],
      ["br3", "veth"],
      ["br4", "veth"],
      ["br5", "veth"],
      ["br6", "veth"],
    ]);
    const br1 = plan.links[0];
    expect(br1?.transport === "bridge" && br1.endpoints.map((e) => e.port)).toEqual([
      "rt1-eth1",
      "h1-eth1",
      "htest-eth1",
    ]);
  });

  it("resolves static routes to their outgoing interface", () => {
    const rt1 = plan.nodes.find((n) => n.name === "rt1");
    expect(rt1?.routes).toEqual([
      { prefix: "10.20.60.0/24", nexthops: [{ via: "10.20.20.2", dev: "eth2" }], origin: "static" },
      { prefix: "10.20.40.0/24", nexthops: [{ via: "10.20.20.2", dev: "eth2" }], origin: "static" },
      { prefix: "10.20.50.0/24", nexthops: [{ via: "10.20.30.2", dev: "eth3" }], origin: "static" },
    ]);
    const h1 = plan.nodes.find((n) => n.name === "h1");
    expect(h1?.routes[0]).toMatchObject({
      prefix: "0.0.0.0/0",
      nexthops: [{ via: "10.20.10.1", dev: "eth1" }],
    });
    expect(h1?.forwarding).toBe(false);
    expect(rt1?.forwarding).toBe(true);
  });

  it("gives unique, locally administered unicast MACs", () => {
    const macs = plan.nodes.flatMap((n) => n.interfaces.map((i) => i.mac));
    expect(new Set(macs).size).toBe(macs.length);
    for (const m of macs) {
      const first = Number.parseInt(m.slice(0, 2), 16);
      expect(first & 0b11).toBe(0b10);
    }
  });

  it("resolves validate targets", () => {
    expect(plan.tests.map((t) => [t.from, t.target, t.expect])).toEqual([
      ["h1", "10.20.60.2", "success"],
      ["h2", "10.20.10.2", "success"],
      ["htest", "10.20.10.1", "success"],
      ["h1", "10.20.50.2", "success"],
      ["rt2", "10.20.50.2", "fail"],
    ]);
  });

  it("is the same in another process, from another folder, with another environment", () => {
    for (const example of ["six-routers", "leaf-spine", "six-routers-mixed"]) {
      const file = resolve(`examples/${example}.yml`);
      const here = JSON.stringify(planOfFile(file));
      const printed = (cwd: string, env: NodeJS.ProcessEnv) =>
        execFileSync(
          resolve("node_modules/.bin/vite-node"),
          [resolve("test/plan/print-plan.ts"), file],
          {
            cwd,
            env,
            encoding: "utf8",
          },
        );
      const other = mkdtempSync(join(tmpdir(), "wirelab-plan-"));
      try {
        expect(printed(process.cwd(), process.env), example).toBe(here);
        const env = {
          PATH: process.env.PATH,
          HOME: other,
          TZ: "Pacific/Chatham",
          LANG: "tr_TR.UTF-8",
          WIRELAB_PORTS: "30000-30100",
        };
        expect(printed(other, env), example).toBe(here);
      } finally {
        rmSync(other, { recursive: true, force: true });
      }
    }
  }, 30_000);
});

describe("lan example", () => {
  it("puts three nodes on one bridge from the LAN pool", () => {
    const plan = planOfFile("examples/lan.yml");
    expect(plan.links[0]).toMatchObject({
      name: "lan1",
      transport: "bridge",
      type: "lan",
      bridge: "lan1",
      subnets: { ipv4: "172.16.0.0/24" },
    });
    expect(plan.nodes.map((n) => n.interfaces[0]?.ipv4)).toEqual([
      "172.16.0.1/24",
      "172.16.0.2/24",
      "172.16.0.3/24",
    ]);
  });
});

describe("leaf-spine example", () => {
  const plan = planOfFile("examples/leaf-spine.yml");
  it("allocates /30s from the p2p pool and loopbacks by node position", () => {
    expect(plan.links[0]).toMatchObject({ name: "spine1-leaf1", subnets: { ipv4: "10.1.0.0/30" } });
    expect(plan.nodes[0]?.loopback).toEqual({ ipv4: "10.0.0.1/32" });
  });
  it("routes host to host over all four spines (ECMP)", () => {
    const leaf1 = plan.nodes.find((n) => n.name === "leaf1");
    const toH16 = leaf1?.routes.find((r) => r.prefix === plan.links.at(-1)?.subnets.ipv4);
    expect(toH16?.nexthops).toHaveLength(4);
    const h1 = plan.nodes.find((n) => n.name === "h1");
    // A host has one way out: every route, to each of the lab's other prefixes, goes by eth1.
    expect(h1?.routes.length).toBeGreaterThan(50);
    for (const r of h1?.routes ?? [])
      expect(r.nexthops, r.prefix).toEqual([expect.objectContaining({ dev: "eth1" })]);
  });
  it("turns forwarding on for transit nodes only: spines and leaves, no host", () => {
    const transit = [
      ...Array.from({ length: 4 }, (_, i) => `spine${i + 1}`),
      ...Array.from({ length: 16 }, (_, i) => `leaf${i + 1}`),
    ];
    expect(
      plan.nodes
        .filter((n) => n.forwarding)
        .map((n) => n.name)
        .sort(),
    ).toEqual(transit.sort());
  });
  it("expands validate to every ordered pair of hosts", () => {
    expect(plan.tests).toHaveLength(16 * 15);
  });
});
