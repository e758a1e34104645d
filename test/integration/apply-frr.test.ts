/**
 * `up` of an edited netlab topology on FRR routers in namespaces: a changed
 * OSPF cost reaches the router through FRR's reload — the same daemons
 * (PIDs), the new line in the running configuration — and a router whose
 * configuration did not change is not touched.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, labFile, leftovers, NOTHING_LEFT } from "./lab-helpers.js";

const { file, lab } = labFile("test/fixtures/netlab/ospf.yml", "apfrr");

/** The PIDs of a router's daemons, read inside it. */
async function daemonPids(node: string): Promise<string> {
  const r = await cli(["exec", "--lab", lab, node, "--", "sh", "-c", "cat /run/frr/*.pid"]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
}

describe("up applies an edited netlab topology to running FRR routers", () => {
  beforeAll(async () => {
    const r = await cli(["up", file]);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => {
    await cli(["down", "--lab", lab]);
    expect(leftovers(lab)).toEqual(NOTHING_LEFT);
  });

  it("reloads a changed OSPF cost without restarting FRR; other routers untouched", async () => {
    const before = { r1: await daemonPids("r1"), r2: await daemonPids("r2") };
    writeFileSync(file, readFileSync(file, "utf8").replace("ospf.cost: 50", "ospf.cost: 70"));
    const r = await cli(["up", file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/~ node r2 \(/);
    expect(r.stderr).toContain("reloaded the configuration of r2");
    expect(r.stderr).not.toContain("of r1");
    expect(await daemonPids("r2")).toBe(before.r2);
    expect(await daemonPids("r1")).toBe(before.r1);
    const conf = await cli([
      "exec",
      "--lab",
      lab,
      "r2",
      "--",
      "vtysh",
      "-c",
      "show running-config",
    ]);
    expect(conf.stdout).toContain("ip ospf cost 70");
    expect(conf.stdout).not.toContain("ip ospf cost 50");
    const v = await cli(["validate", "--lab", lab]);
    expect(v.code, v.stdout + v.stderr).toBe(0);
  });
});
