/**
 * Several interfaces in one capture: `wirelab capture` with NODE IFNAME
 * pairs, `--link` and `--node` writes one pcapng with one interface block
 * per source — here a namespace vEth (tcpdump on the device), a QEMU UDP
 * tunnel (tcpdump on loopback, decapsulated) and a hub on the wire daemon
 * (the daemon's stream) — read back by tshark: `frame.interface_name` shows
 * each source, and timestamps never go back across sources.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { LabPlan } from "../../src/plan/types.js";
import { tsharkFields } from "../helpers.js";
import {
  addressOn,
  CAPTURE_SOURCES_TOPOLOGY,
  cli,
  interfaceOn,
  labFile,
  stateDir,
} from "./lab-helpers.js";

const { file, lab } = labFile(CAPTURE_SOURCES_TOPOLOGY, "many");
let plan: LabPlan;
const ifname = (node: string, link: string) => interfaceOn(plan, node, link).ifname;

beforeAll(async () => {
  const up = await cli(["up", file]);
  expect(up.code, up.stderr).toBe(0);
  plan = JSON.parse((await cli(["plan", "--json", file])).stdout) as LabPlan;
}, 180_000);

/** Starts `wirelab capture ARGS`; resolves once it listens, with a stopper. */
async function startCapture(args: readonly string[]) {
  const child = spawn(process.execPath, ["dist/cli/bin.js", "capture", "--lab", lab, ...args], {
    env: { ...process.env, WIRELAB_STATE_DIR: stateDir() },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out: Buffer[] = [];
  child.stdout.on("data", (d: Buffer) => out.push(d));
  let stderr = "";
  const exit = new Promise<number | null>((resolve) => child.on("exit", resolve));
  await new Promise<void>((resolve, reject) => {
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes("capturing")) resolve();
    });
    void exit.then(() => reject(new Error(`capture ended early: ${stderr}`)));
  });
  return {
    stderr: () => stderr,
    stdout: () => Buffer.concat(out),
    exit,
    stop: () => child.kill("SIGINT"),
  };
}

/** Pings on the three links at once, `count` each, 0.1 s apart. */
const pingAll = (count: number) =>
  Promise.all(
    (
      [
        ["v1", "v2", "tun"],
        ["n1", "n2", "veth"],
        ["n1", "n3", "hub"],
      ] as const
    ).map(([from, to, link]) =>
      cli([
        "exec",
        "--lab",
        lab,
        from,
        "--",
        "ping",
        "-c",
        String(count),
        "-i",
        "0.1",
        "-W",
        "2",
        addressOn(plan, to, link),
      ]),
    ),
  );

/** ns since the epoch from tshark's `frame.time_epoch` (`1796238608.137000123`). */
const epochNs = (t: string) => {
  const [s = "0", f = ""] = t.split(".");
  return BigInt(s) * 1_000_000_000n + BigInt(f.padEnd(9, "0").slice(0, 9));
};

describe("several interfaces in one pcapng", () => {
  it("a vEth end, a UDP tunnel end and a hub: three interfaces, timestamps in order", async () => {
    const out = join(stateDir(), `${lab}-three.pcapng`);
    const cap = await startCapture([
      "n2",
      ifname("n2", "veth"),
      "v2",
      ifname("v2", "tun"),
      "--link",
      "hub",
      "icmp",
      "-w",
      out,
    ]);
    expect(cap.stderr()).toContain(
      `capturing n2:${ifname("n2", "veth")}, v2:${ifname("v2", "tun")}, hub (icmp)`,
    );
    const pings = await pingAll(20);
    for (const p of pings) expect(p.code, p.stderr).toBe(0);
    cap.stop();
    expect(await cap.exit, cap.stderr()).toBe(0);
    expect(cap.stderr()).not.toContain("late");
    const rows = tsharkFields(out, ["frame.interface_name", "frame.time_epoch", "icmp.type"])
      .filter((l) => l)
      .map((l) => l.split("\t"));
    const names = new Set(rows.map((r) => r[0]));
    expect([...names].sort()).toEqual(
      [`n2:${ifname("n2", "veth")}`, `v2:${ifname("v2", "tun")}`, "hub"].sort(),
    );
    // Every echo and reply of every link (the filter reached all three), each source its own share.
    for (const name of names)
      expect(rows.filter((r) => r[0] === name).length, name).toBeGreaterThanOrEqual(40);
    for (const r of rows) expect(r[2], r.join(" ")).toMatch(/^[08]$/);
    const ts = rows.map((r) => epochNs(r[1] ?? ""));
    for (let i = 1; i < ts.length; i++)
      expect(
        (ts[i] as bigint) >= (ts[i - 1] as bigint),
        `frame ${i + 1} is older than frame ${i}`,
      ).toBe(true);
    // Sources interleave: the merge is by time, not one source after another.
    const switches = rows.filter((r, i) => i > 0 && r[0] !== rows[i - 1]?.[0]).length;
    expect(switches).toBeGreaterThan(10);
  });

  it("--node takes every interface of a node; -w - streams to tshark; -c stops it", async () => {
    const cap = await startCapture(["--node", "n1", "-w", "-", "-c", "12", "icmp"]);
    await pingAll(10);
    expect(await cap.exit, cap.stderr()).toBe(0);
    const rows = tsharkFields(cap.stdout(), ["frame.interface_name", "icmp.type"])
      .filter((l) => l)
      .map((l) => l.split("\t"));
    expect(rows).toHaveLength(12);
    expect(new Set(rows.map((r) => r[0]))).toEqual(
      new Set([`n1:${ifname("n1", "veth")}`, `n1:${ifname("n1", "hub")}`]),
    );
  });

  it("says what is wrong with a pair or a node, and captures nothing", async () => {
    const pair = await cli(["capture", "--lab", lab, "n1", "eth9", "-c", "1"]);
    expect(pair.code).not.toBe(0);
    expect(pair.stderr).toMatch(/node "n1" has no interface "eth9" \(it has: eth1, eth2\)/);
    const node = await cli(["capture", "--lab", lab, "--node", "nx", "-c", "1"]);
    expect(node.stderr).toMatch(/has no node "nx"/);
    const none = await cli(["capture", "--lab", lab, "icmp"]);
    expect(none.stderr).toMatch(/has no node "icmp"/);
  });

  it("the down of the lab leaves nothing", async () => {
    const down = await cli(["down", "--lab", lab]);
    expect(down.code, down.stderr).toBe(0);
  });
});
