/**
 * netlab topologies with routing modules, run natively: each netlab
 * fixture comes up as FRR routers in namespaces, configured by wirelab from
 * its modules (OSPFv2/v3, BGP with a route reflector and three ASes, IS-IS
 * L1/L2, static routes), and passes its own netlab `validate` tests; a lab
 * broken on purpose fails them with netlab's reasons; a lab of VM routers
 * (netlab's libvirt provider) with a namespace host passes too. Nothing is
 * left after down.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, labFile, leftovers, NOTHING_LEFT } from "./lab-helpers.js";

/** The fixtures (and the README's example) and the tests each has. */
const FIXTURES = {
  ospf: 7,
  bgp: 5,
  isis: 4,
  static: 3,
  "netlab-ospf-bgp": 5,
} as const;
const fileOf = (name: string) =>
  name.startsWith("netlab-") ? `examples/${name}.yml` : `test/fixtures/netlab/${name}.yml`;

describe("netlab fixtures on FRR in namespaces", () => {
  const labs = Object.fromEntries(
    // Lab names that are not prefixes of one another (leftovers() matches by prefix).
    Object.keys(FIXTURES).map((name) => [
      name,
      labFile(fileOf(name), name.startsWith("netlab-") ? "nl-example" : `nl-${name}`),
    ]),
  );
  beforeAll(async () => {
    // All up first: their protocols converge at the same time.
    for (const { file } of Object.values(labs)) {
      const r = await cli(["up", file]);
      expect(r.code, r.stderr).toBe(0);
    }
  }, 120_000);
  afterAll(async () => {
    for (const { file } of Object.values(labs)) await cli(["down", file]);
  });

  for (const [name, count] of Object.entries(FIXTURES)) {
    it(`${name}: passes its netlab tests`, async () => {
      const { file } = labs[name] as { file: string };
      const v = await cli(["validate", file]);
      expect(v.code, `${v.stdout}\n${v.stderr}`).toBe(0);
      expect(v.stdout).toMatch(new RegExp(`\\[SUCCESS\\]\\s+Tests passed: ${count}\\n`));
      expect(v.stdout).not.toMatch(/\[FAIL\]|\[WARNING\]/);
    }, 120_000);
  }

  it("bgp: routers run the configuration planned for them, and plan --config shows it", async () => {
    const { file, lab } = labs.bgp as { file: string; lab: string };
    const planned = await cli(["plan", file, "--config", "rr"]);
    expect(planned.code, planned.stderr).toBe(0);
    expect(planned.stdout).toContain("router bgp 65000");
    const running = await cli([
      "exec",
      "--lab",
      lab,
      "rr",
      "--",
      "vtysh",
      "-c",
      "show running-config",
    ]);
    expect(running.stdout).toMatch(/neighbor 10\.0\.0\.2 route-reflector-client/);
  });

  it("static: a host reaches a loopback three routers away over static routes only", async () => {
    const { lab } = labs.static as { lab: string };
    const r = await cli(["exec", "--lab", lab, "r1", "--", "ip", "-json", "route"]);
    const routes = JSON.parse(r.stdout) as { dst: string; protocol?: string }[];
    expect(routes.some((x) => x.protocol === "static")).toBe(true);
    expect(routes.some((x) => ["ospf", "bgp", "isis"].includes(x.protocol ?? ""))).toBe(false);
    // From r1's loopback to r3 (by name: its loopback): r3 routes back to r1's loopback only.
    const ping = await cli([
      "exec",
      "--lab",
      lab,
      "r1",
      "--",
      "ping",
      "-c1",
      "-W2",
      "-I",
      "10.0.0.1",
      "r3",
    ]);
    expect(ping.code, ping.stdout).toBe(0);
  });

  it("down leaves nothing", async () => {
    for (const { file, lab } of Object.values(labs)) {
      expect((await cli(["down", file])).code).toBe(0);
      expect(leftovers(lab)).toEqual(NOTHING_LEFT);
    }
  });
});

describe("a netlab lab broken on purpose", () => {
  // r2's hello on the shared link is not r1's: OSPF will not form the adjacency (RFC 2328, 10.5).
  const { file, lab } = labFile(
    [
      "module: [ospf]",
      "defaults.device: frr",
      "nodes: [r1, r2]",
      "links:",
      "- r1: { ospf.timers.hello: 1 }",
      "  r2: { ospf.timers.hello: 2 }",
      "validate:",
      "  adj:",
      "    description: r1 has r2 as its OSPF neighbour",
      "    wait: 6",
      "    wait_msg: Waiting for OSPF",
      "    nodes: [r1]",
      "    plugin: ospf_neighbor(nodes.r2.ospf.router_id)",
      "  lsa:",
      "    description: r1 has r2's loopback (a warning)",
      "    level: warning",
      "    nodes: [r1]",
      "    plugin: ospf_prefix(nodes.r2.loopback.ipv4)",
      "  lo:",
      "    description: r1's own loopback is in OSPF",
      "    nodes: [r1]",
      "    plugin: ospf_prefix(nodes.r1.loopback.ipv4)",
    ].join("\n"),
    "nl-broken",
  );
  beforeAll(async () => {
    const r = await cli(["up", file]);
    expect(r.code, r.stderr).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await cli(["down", file]);
  });

  it("fails the adjacency after its wait, warns on the missing prefix, passes the rest; exit 1", async () => {
    const v = await cli(["validate", file]);
    expect(v.code, v.stdout).toBe(1);
    expect(v.stdout).toMatch(/\[WAITING\]\s+Waiting for OSPF \(retrying for 6 seconds\)/);
    expect(v.stdout).toMatch(/\[FAIL\]\s+Node r1: There is no OSPFv2 neighbor 10\.0\.0\.2\n/);
    expect(v.stdout).toMatch(
      /\[WARNING\]\s+Node r1: The prefix 10\.0\.0\.2\/32 is not in the OSPF topology/,
    );
    expect(v.stdout).toMatch(/\[PASS\]\s+r1: The prefix 10\.0\.0\.1\/32 is in the OSPF topology/);
    expect(v.stdout).toMatch(/\[FAIL\]\s+3 tests completed, one test failed/);
  }, 60_000);

  it("--nowait runs each test once", async () => {
    const v = await cli(["validate", "--nowait", file]);
    expect(v.code, v.stdout).toBe(1);
    expect(v.stdout).not.toContain("WAITING");
    expect(v.stdout).toMatch(/\[FAIL\]\s+Node r1: There is no OSPFv2 neighbor 10\.0\.0\.2\n/);
  });

  it("runs the file's tests as edited, without rebuilding the lab; warnings only exit 3", async () => {
    const text = readFileSync(file, "utf8");
    writeFileSync(file, text.replace(/ {2}adj:\n(?: {4}.*\n)+/, ""));
    const v = await cli(["validate", file]);
    expect(v.code, v.stdout).toBe(3);
    expect(v.stdout).not.toContain("[adj]");
    expect(v.stdout).toMatch(/\[WARNING\]\s+Node r1: The prefix 10\.0\.0\.2\/32/);
  });

  it("down leaves nothing", async () => {
    expect((await cli(["down", file])).code).toBe(0);
    expect(leftovers(lab)).toEqual(NOTHING_LEFT);
  });
});

describe("a netlab lab of VM routers (provider libvirt) and a namespace host", () => {
  const { file, lab } = labFile(
    [
      "provider: libvirt",
      "module: [ospf]",
      "defaults.device: frr",
      "ospf.timers.hello: 1",
      "nodes:",
      "  r1:",
      "  r2:",
      "  h: { device: linux, provider: clab }",
      "links: [r1-r2, r1-h]",
      "validate:",
      "  adj:",
      "    wait: 60",
      "    wait_msg: Waiting for the VMs' OSPF",
      "    nodes: [r1]",
      "    plugin: ospf_neighbor(nodes.r2.ospf.router_id)",
      "  ping:",
      "    description: the host reaches r2's loopback through r1",
      "    wait: 20",
      "    nodes: [h]",
      "    plugin: ping(nodes.r2.loopback.ipv4)",
    ].join("\n"),
    "nl-vm",
  );
  beforeAll(async () => {
    const r = await cli(["up", file]);
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await cli(["down", file]);
  });

  it("runs FRR in the VMs from the generated configuration and passes its tests", async () => {
    const v = await cli(["validate", file]);
    expect(v.code, `${v.stdout}\n${v.stderr}`).toBe(0);
    expect(v.stdout).toMatch(/\[SUCCESS\]\s+Tests passed: 2\n/);
    const running = await cli([
      "exec",
      "--lab",
      lab,
      "r2",
      "--",
      "vtysh",
      "-c",
      "show running-config",
    ]);
    expect(running.stdout).toContain("ip ospf area 0.0.0.0");
    // Node names resolve in a VM as in a namespace (the lab's hosts file).
    const byName = await cli(["exec", "--lab", lab, "r2", "--", "ping", "-c", "1", "-W", "2", "h"]);
    expect(byName.code, byName.stdout + byName.stderr).toBe(0);
    expect(byName.stdout).toMatch(/PING h \(172\.16\.0\.\d+\)/);
  }, 120_000);

  it("down leaves nothing", async () => {
    expect((await cli(["down", file])).code).toBe(0);
    expect(leftovers(lab)).toEqual(NOTHING_LEFT);
  });
});
