import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureOne, cli, inNs, labFile, namespaces, stateDir } from "./lab-helpers.js";

describe("a LAN of three and two labs side by side", () => {
  const one = labFile("examples/lan.yml", "lan1");
  const two = labFile("examples/lan.yml", "lan2");
  let ups: Awaited<ReturnType<typeof cli>>[] = [];
  beforeAll(async () => {
    ups = [await cli(["up", one.file]), await cli(["up", two.file])];
  });
  afterAll(async () => {
    await cli(["down", one.file]);
    await cli(["down", two.file]);
    expect(namespaces(`wl-${one.lab}`)).toEqual([]);
    expect(namespaces(`wl-${two.lab}`)).toEqual([]);
  });

  it("brings up two copies of one topology without collisions", async () => {
    expect(ups.map((u) => [u.code, u.stderr])).toEqual([
      [0, ""],
      [0, ""],
    ]);
    expect(namespaces(`wl-${one.lab}`)).toHaveLength(4);
    expect(namespaces(`wl-${two.lab}`)).toHaveLength(4);
    expect((await cli(["validate", one.file])).stdout).toContain("6 passed, 0 failed");
    expect((await cli(["validate", two.file])).stdout).toContain("6 passed, 0 failed");
  });

  it("is one broadcast domain: b sees a's ARP request for c", async () => {
    const bNs = `wl-${one.lab}-b`;
    inNs(`wl-${one.lab}-a`, ["ip", "neigh", "flush", "all"]);
    const { code, out } = await captureOne(
      [
        "ip",
        "netns",
        "exec",
        bNs,
        "tcpdump",
        "-n",
        "-l",
        "-c",
        "1",
        "-i",
        "eth1",
        "arp and arp[6:2] = 1",
      ],
      () =>
        expect(inNs(`wl-${one.lab}-a`, ["ping", "-c", "1", "-W", "2", "172.16.0.3"]).code).toBe(0),
    );
    expect(code).toBe(0);
    expect(out).toMatch(/Request who-has 172\.16\.0\.3 tell 172\.16\.0\.1/);
  });

  it("captures a whole LAN segment on its bridge (--link)", async () => {
    const capture = spawn(
      process.execPath,
      ["dist/cli/bin.js", "capture", "--lab", two.lab, "--link", "lan1", "-c", "2", "icmp"],
      {
        env: { ...process.env, WIRELAB_STATE_DIR: stateDir() },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    capture.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    await new Promise<void>((resolve) =>
      capture.stderr.on("data", (d: Buffer) => d.toString().includes("capturing") && resolve()),
    );
    expect(inNs(`wl-${two.lab}-b`, ["ping", "-c", "1", "-W", "2", "172.16.0.3"]).code).toBe(0);
    expect(await new Promise((resolve) => capture.on("exit", resolve))).toBe(0);
    expect(out).toMatch(/172\.16\.0\.2 > 172\.16\.0\.3: ICMP echo request/);
    expect(out).toMatch(/172\.16\.0\.3 > 172\.16\.0\.2: ICMP echo reply/);
  });

  it("takes one lab down and leaves the other running", async () => {
    expect((await cli(["down", "--lab", one.lab])).code).toBe(0);
    expect(namespaces(`wl-${one.lab}`)).toEqual([]);
    expect((await cli(["validate", "--lab", two.lab])).code).toBe(0);
  });
});

describe("leaf-spine: 4 spines, 16 leaves, 16 hosts, routing: static", () => {
  const { file, lab } = labFile("examples/leaf-spine.yml", "clos");
  beforeAll(async () => {
    const r = await cli(["up", file]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });
  afterAll(async () => {
    await cli(["down", file]);
    expect(namespaces(`wl-${lab}`)).toEqual([]);
  });

  it("every host reaches every other host, and every neighbour answers", async () => {
    const r = await cli(["validate", file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`lab ${lab}: 400 passed, 0 failed`);
  });

  it("spreads host-to-host routes over all four spines", () => {
    // The 80th link (leaf16-h16) has the 80th /30 of 10.1.0.0/16.
    const r = inNs(`wl-${lab}-leaf1`, ["ip", "route", "show", "10.1.1.60/30"]);
    const hops = [...r.stdout.matchAll(/nexthop via (\S+) dev (\S+)/g)].map((m) => m[2]);
    expect(hops).toEqual(["eth1", "eth2", "eth3", "eth4"]);
  });
});

describe("dual stack with routing: static", () => {
  const { file, lab } = labFile("examples/dual-stack.yml", "ds");
  beforeAll(async () => {
    const r = await cli(["up", file]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });
  afterAll(async () => {
    await cli(["down", file]);
    expect(namespaces(`wl-${lab}`)).toEqual([]);
  });

  it("reaches hosts over IPv6 and IPv4, loopbacks included", async () => {
    const r = await cli(["validate", file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ok {3}h1-to-lan-v6: h1 → h2 2001:db8:ff::4: reply/);
    // 6 declared tests; neighbours: 2 p2p links × 2 directions + LAN 3 × 2, each in both families.
    expect(r.stdout).toContain(`lab ${lab}: 26 passed, 0 failed`);
    const routes = inNs(`wl-${lab}-h2`, ["ip", "-6", "route", "show", "2001:db8:ff::1"]).stdout;
    expect(routes.trim()).toBe("2001:db8:ff::1 via 2001:db8:2::1 dev eth1 metric 1024 pref medium");
  });
});
