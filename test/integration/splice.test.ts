/**
 * Links spliced onto the wire daemon live (`wirelab link impair` on links
 * it does not carry) and moved back: a vEth between namespaces, a LAN port
 * on a bridge, a tap and a UDP tunnel of VMs. Checked by ping RTT, carrier
 * counters that do not move, no frame lost while the path changes, a
 * capture from the daemon, link down/up on a spliced link, an apply that
 * leaves an untouched splice alone, and nothing left after down.
 */
import { spawn } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LabPlan } from "../../src/plan/types.js";
import { tsharkFields } from "../helpers.js";
import {
  addressOn,
  cli,
  cliSync,
  inNs,
  interfaceOn,
  labFile,
  leftovers,
  NOTHING_LEFT,
  stateDir,
  udpAndTcp,
  vmPid,
} from "./lab-helpers.js";

/** Average RTT in ms of `count` pings from a node, or undefined when none came back. */
function rttOf(lab: string, from: string, to: string, count = 5): number | undefined {
  const r = cliSync([
    "exec",
    "--lab",
    lab,
    from,
    "--",
    "ping",
    "-c",
    String(count),
    "-i",
    "0.2",
    "-W",
    "2",
    to,
  ]);
  const m = /= [\d.]+\/([\d.]+)\//.exec(r.stdout);
  return m ? Number(m[1]) : undefined;
}

/** The link as `link show --json` gives it. */
function shown(lab: string, link: string): { relayed: string; why?: string } {
  const views = JSON.parse(cliSync(["link", "show", "--lab", lab, "--json"]).stdout) as {
    name: string;
    relayed: string;
    why?: string;
  }[];
  const v = views.find((x) => x.name === link);
  return { relayed: v?.relayed ?? "", ...(v?.why !== undefined ? { why: v.why } : {}) };
}

/** A namespace interface's carrier changes so far (/sys/class/net/IF/carrier_changes). */
function carrierChanges(ns: string, ifname: string): number {
  return Number(inNs(ns, ["cat", `/sys/class/net/${ifname}/carrier_changes`]).stdout.trim());
}

const nsOf = (lab: string, node: string) => `wl-${lab}-${node}`;

describe("splicing namespace links onto the wire daemon live", () => {
  const TOPOLOGY = [
    "nodes: { p: {}, q: {}, r: {} }",
    "links:",
    "  - { name: pq, p: { ipv4: 10.61.1.1/24 }, q: { ipv4: 10.61.1.2/24 } }",
    "  - { name: lan, p: { ipv4: 10.61.2.1/24 }, q: { ipv4: 10.61.2.2/24 }, r: { ipv4: 10.61.2.3/24 } }",
    "",
  ].join("\n");
  const { file, lab } = labFile(TOPOLOGY, "splice");
  let plan: LabPlan;
  const rtt = (from: string, to: string, count = 5) => rttOf(lab, from, to, count);
  const link = (...args: string[]) =>
    cliSync(["link", ...args.slice(0, 1), "--lab", lab, ...args.slice(1)]);

  beforeAll(async () => {
    const r = await cli(["up", file]);
    expect(r.code).toBe(0);
    plan = JSON.parse(cliSync(["plan", "--json", file]).stdout) as LabPlan;
  }, 60_000);

  afterAll(async () => {
    await cli(["down", "--lab", lab]);
    expect(leftovers(lab)).toEqual(NOTHING_LEFT);
  });

  it("impairs a plain vEth: spliced live, 50 ms each way in the RTT, no carrier change, no frame lost; --clear puts it back", async () => {
    const q = addressOn(plan, "q", "pq");
    const before = rtt("p", q) as number;
    expect(before).toBeLessThan(1);
    const carrier = [
      carrierChanges(nsOf(lab, "p"), "eth1"),
      carrierChanges(nsOf(lab, "q"), "eth1"),
    ];
    const inode = statSync(`/run/netns/${nsOf(lab, "q")}`).ino;
    // 200 pings a second across the link while it is spliced and moved back.
    const flood = spawn(
      "ip",
      ["netns", "exec", nsOf(lab, "p"), "ping", "-q", "-i", "0.005", "-c", "800", q],
      {
        stdio: ["ignore", "pipe", "ignore"],
      },
    );
    let floodOut = "";
    flood.stdout.on("data", (d: Buffer) => {
      floodOut += d.toString();
    });
    const flooded = new Promise((resolve) => flood.on("exit", resolve));
    const r = await cli(["link", "impair", "--lab", lab, "p", "eth1", "--delay", "50ms"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("p:eth1 sends: delay 50ms");
    expect(r.stdout).toContain("q:eth1 sends: delay 50ms");
    expect(r.stdout).toContain("spliced onto the wire daemon as pq");
    expect(shown(lab, "pq")).toEqual({
      relayed: "spliced",
      why: "what p:eth1, q:eth1 send is impaired",
    });
    // ARP learnt again through the daemon.
    inNs(nsOf(lab, "p"), ["ip", "neigh", "flush", "all"]);
    expect(rtt("p", q) as number).toBeGreaterThanOrEqual(before + 95);
    // UDP and TCP too: what the stack left to checksum offload and TSO is finished before socat.
    expect(await udpAndTcp(nsOf(lab, "p"), nsOf(lab, "q"), q)).toEqual({
      udp: "hello-udp",
      tcpBytes: 200_000,
    });
    await new Promise((res) => setTimeout(res, 500));
    const back = await cli(["link", "impair", "--lab", lab, "p", "eth1", "--clear"]);
    expect(back.stdout).toContain("back on its own wire");
    await flooded;
    expect(floodOut).toMatch(/800 packets transmitted, 800 received/);
    expect(shown(lab, "pq").relayed).toBe("no");
    expect(rtt("p", q) as number).toBeLessThan(1);
    expect([
      carrierChanges(nsOf(lab, "p"), "eth1"),
      carrierChanges(nsOf(lab, "q"), "eth1"),
    ]).toEqual(carrier);
    expect(statSync(`/run/netns/${nsOf(lab, "q")}`).ino).toBe(inode);
    // Nothing of the splice is left: no helper, no filter on the interface.
    expect(leftovers(lab).hostDevices).toEqual([]);
    // Its clsact hook stays (made with the interface, so no splice adds or deletes a qdisc).
    expect(inNs(nsOf(lab, "p"), ["tc", "filter", "show", "dev", "eth1", "egress"]).stdout).toBe("");
  }, 60_000);

  it("captures a spliced vEth end from the daemon: both directions", async () => {
    expect(link("impair", "p", "eth1", "--delay", "5ms").code).toBe(0);
    const out = join(stateDir(), `${lab}-pq.pcapng`);
    const proc = spawn(
      process.execPath,
      ["dist/cli/bin.js", "capture", "--lab", lab, "p", "eth1", "-c", "2", "-w", out, "icmp"],
      {
        env: { ...process.env, WIRELAB_STATE_DIR: stateDir() },
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    const exited = new Promise((resolve) => proc.on("exit", resolve));
    await new Promise<void>((resolve) =>
      proc.stderr.on("data", (d: Buffer) => d.toString().includes("capturing") && resolve()),
    );
    expect(rtt("p", addressOn(plan, "q", "pq"), 1)).toBeDefined();
    expect(await exited).toBe(0);
    expect(tsharkFields(out, ["eth.src", "icmp.type"])).toEqual([
      `${interfaceOn(plan, "p", "pq").mac}\t8`,
      `${interfaceOn(plan, "q", "pq").mac}\t0`,
    ]);
    expect(link("impair", "p", "eth1", "--clear").code).toBe(0);
  }, 30_000);

  it("cuts a spliced link: its peer sees carrier down; up restores it, still spliced until cleared", async () => {
    const q = addressOn(plan, "q", "pq");
    expect(link("impair", "q", "eth1", "--delay", "20ms", "--direction", "out").code).toBe(0);
    expect(link("down", "p", "eth1").code).toBe(0);
    expect(inNs(nsOf(lab, "q"), ["cat", "/sys/class/net/eth1/operstate"]).stdout.trim()).not.toBe(
      "up",
    );
    expect(shown(lab, "pq").why).toContain("cut at p:eth1, q:eth1");
    expect(rtt("p", q, 1)).toBeUndefined();
    const up = link("up", "p", "eth1");
    expect(up.code).toBe(0);
    expect(up.stdout).not.toContain("back on its own wire");
    expect(rtt("p", q) as number).toBeGreaterThanOrEqual(20);
    expect(link("impair", "q", "eth1", "--clear").stdout).toContain("back on its own wire");
    expect(shown(lab, "pq").relayed).toBe("no");
  }, 30_000);

  it("impairs what one LAN port receives; the other ports are untouched", async () => {
    const r3 = addressOn(plan, "r", "lan");
    const q2 = addressOn(plan, "q", "lan");
    const p = link("impair", "r", "eth1", "--delay", "30ms", "--direction", "in");
    expect(p.stdout).toContain("lan sends: delay 30ms");
    expect(p.stdout).toContain("spliced onto the wire daemon as lan/r:eth1");
    const t = rtt("p", r3) as number;
    expect(t).toBeGreaterThanOrEqual(30);
    expect(t).toBeLessThan(60);
    expect(rtt("p", q2) as number).toBeLessThan(1);
    expect(await udpAndTcp(nsOf(lab, "p"), nsOf(lab, "r"), r3)).toEqual({
      udp: "hello-udp",
      tcpBytes: 200_000,
    });
    const views = JSON.parse(link("show", "--json").stdout) as {
      name: string;
      endpoints: { node: string; receives?: { delayMs: number } }[];
    }[];
    expect(
      views.find((v) => v.name === "lan")?.endpoints.find((e) => e.node === "r")?.receives?.delayMs,
    ).toBe(30);
  });

  it("keeps a splice an apply does not touch, and moves back one it does", async () => {
    expect(link("impair", "p", "eth1", "--delay", "10ms").code).toBe(0);
    // The vEth pq's addresses change; the LAN and r stay as they are.
    writeFileSync(file, readFileSync(file, "utf8").replace("10.61.1.1/24", "10.61.1.11/24"));
    const r = await cli(["up", file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("pq: moved back onto its own wire");
    expect(shown(lab, "pq").relayed).toBe("no");
    expect(shown(lab, "lan")).toEqual({ relayed: "spliced", why: "what lan sends is impaired" });
    expect(rtt("p", addressOn(plan, "r", "lan")) as number).toBeGreaterThanOrEqual(30);
    expect(rtt("p", "10.61.1.2") as number).toBeLessThan(1);
  }, 60_000);
});

describe("splicing VM links onto the wire daemon live (QEMU filter-redirectors)", () => {
  const TOPOLOGY = [
    "defaults: { kind: vm }",
    "nodes: { a: {}, b: {}, h: { kind: linux } }",
    "links:",
    "  - { name: ab, a: { ipv4: 10.62.1.1/24 }, b: { ipv4: 10.62.1.2/24 } }",
    "  - { name: bh, b: { ipv4: 10.62.2.1/24 }, h: { ipv4: 10.62.2.2/24 } }",
    "",
  ].join("\n");
  const { file, lab } = labFile(TOPOLOGY, "splicevm");
  const rtt = (from: string, to: string, count = 5) => rttOf(lab, from, to, count);

  beforeAll(async () => {
    const r = await cli(["up", file]);
    expect(r.code).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await cli(["down", "--lab", lab]);
    expect(leftovers(lab)).toEqual(NOTHING_LEFT);
  });

  for (const [name, transport, from, ifname, to] of [
    ["ab", "udp", "a", "eth1", "10.62.1.2"],
    ["bh", "tap", "h", "eth1", "10.62.2.1"],
  ] as const) {
    it(`impairs a ${transport} link live: 50 ms each way, QEMU keeps its PID; --clear puts it back`, async () => {
      const pids = [vmPid(lab, "a"), vmPid(lab, "b")];
      const before = rtt(from, to) as number;
      expect(before).toBeDefined();
      const r = await cli(["link", "impair", "--lab", lab, from, ifname, "--delay", "50ms"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`spliced onto the wire daemon as ${name}`);
      expect(shown(lab, name).relayed).toBe("spliced");
      expect(rtt(from, to) as number).toBeGreaterThanOrEqual(before + 95);
      const back = await cli(["link", "impair", "--lab", lab, from, ifname, "--clear"]);
      expect(back.stdout).toContain("back on its own wire");
      expect(shown(lab, name).relayed).toBe("no");
      // Back on the tunnel or tap: the guests' own RTT under TCG, far below one delay.
      expect(rtt(from, to) as number).toBeLessThan(before + 10);
      expect([vmPid(lab, "a"), vmPid(lab, "b")]).toEqual(pids);
    }, 60_000);
  }
});
