/**
 * A node's `exec:` lines (containerlab's exec): run in the node, in order,
 * once the lab is built; again after a restart; a failing line stops `up`
 * at its place in the file, and nothing is left.
 */
import { afterAll, describe, expect, it } from "vitest";
import { cli, labFile, leftovers, NOTHING_LEFT, pingFrom } from "./lab-helpers.js";

describe("exec lines", () => {
  const topology = `
nodes:
  h1:
    exec:
      - ip address add 192.168.50.1/24 dev eth1
      - ip route add 198.51.100.0/24 via 192.168.50.2
  h2:
    exec: [ "ip address add 192.168.50.2/24 dev eth1", "ip address add 198.51.100.1/32 dev lo" ]
links:
  - h1-h2
`;
  const { file, lab } = labFile(topology, "execlines");
  afterAll(async () => {
    await cli(["down", file]);
  });

  it("run in each node once its links exist: addresses and a route only they give carry traffic", async () => {
    const r = await cli(["up", file]);
    expect(r.code, r.stderr).toBe(0);
    const ping = await pingFrom(lab, "h1", "198.51.100.1", 2);
    expect(ping.code, ping.stdout).toBe(0);
  });

  it("run again after a restart of the node", async () => {
    expect((await cli(["restart", "--lab", lab, "h2"])).code).toBe(0);
    const addr = await cli([
      "exec",
      "--lab",
      lab,
      "h2",
      "--",
      "ip",
      "-brief",
      "address",
      "show",
      "dev",
      "lo",
    ]);
    expect(addr.stdout).toContain("198.51.100.1/32");
    const eth1 = await cli([
      "exec",
      "--lab",
      lab,
      "h2",
      "--",
      "ip",
      "-brief",
      "address",
      "show",
      "dev",
      "eth1",
    ]);
    expect(eth1.stdout).toContain("192.168.50.2/24");
  });

  it("a failing line stops up at its place in the file, with what it printed; nothing is left", async () => {
    const bad = labFile(
      "nodes:\n  h1:\n    exec:\n      - ip link set dev eth1 up\n      - ip route add 203.0.113.0/24 via 192.0.2.99\n  h2: {}\nlinks: [h1-h2]\n",
      "execbad",
    );
    const r = await cli(["up", bad.file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /execbad\.yml:6:9: h1: exec line 2 failed \(exit code 2\): ip route add 203\.0\.113\.0\/24 via 192\.0\.2\.99/,
    );
    expect(r.stderr).toMatch(/Nexthop has invalid gateway|Network is unreachable/);
    expect(leftovers(bad.lab)).toEqual(NOTHING_LEFT);
  });
});
