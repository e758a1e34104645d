/**
 * wirelab's Wireshark extcap program, installed by `wirelab extcap install`
 * into the extcap folder of Debian's tshark and used by tshark itself:
 * `tshark -D` lists every interface of the lab as wirelab:LAB:NODE:IFNAME;
 * `tshark -i wirelab:… -c N` decodes ARP and ICMP between two nodes on a
 * namespace vEth, a QEMU UDP tunnel between VMs and a wire-daemon hub port,
 * with directions; a capture filter reaches the capture; and when tshark
 * stops the capture (after -c N, or at -a duration) the extcap process and
 * every tcpdump it started are gone.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXTCAP_PROGRAM, extcapDir } from "../../src/capture/extcap.js";
import { defaultRunner } from "../../src/exec.js";
import type { LabPlan } from "../../src/plan/types.js";
import {
  addressOn,
  CAPTURE_SOURCES_TOPOLOGY,
  cli,
  interfaceOn,
  labFile,
  runCommand,
  waitFor,
} from "./lab-helpers.js";

const { file, lab } = labFile(CAPTURE_SOURCES_TOPOLOGY, "xcap");
let plan: LabPlan;
let extcapFile = "";
let before: string | undefined;

/** Runs tshark with the tests' state directory (the extcap program inherits it); its output. */
const tshark = (args: readonly string[], onStart?: (pid: number) => void) =>
  runCommand("tshark", args, onStart ? { onStart } : {});

/** PID → parent PID and command line of every process. */
function processes(): Map<number, { ppid: number; cmd: string }> {
  const out = new Map<number, { ppid: number; cmd: string }>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const cmd = readFileSync(`/proc/${d}/cmdline`, "utf8").replaceAll("\0", " ");
      out.set(Number(d), { ppid, cmd });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Every process below `root`. */
function descendants(root: number): number[] {
  const all = processes();
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const [p, info] of all)
      if (info.ppid === pid) {
        found.push(p);
        walk(p);
      }
  };
  walk(root);
  return found;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Captures `node ifname` through tshark with `tsharkArgs` while `from`
 * flushes its neighbours and pings `to` once every 300 ms; returns the
 * decoded frames and every process the extcap started (watched while it ran).
 */
async function captureThrough(
  node: string,
  ifname: string,
  tsharkArgs: readonly string[],
  from: string,
  fromIf: string,
  to: string,
): Promise<{ frames: string[][]; started: Map<number, string>; stderr: string }> {
  const started = new Map<number, string>();
  let tsharkPid = 0;
  const run = tshark(
    [
      "-i",
      `wirelab:${lab}:${node}:${ifname}`,
      ...tsharkArgs,
      "-T",
      "fields",
      "-e",
      "frame.packet_flags_direction",
      "-e",
      "arp.opcode",
      "-e",
      "icmp.type",
      "-e",
      "ip.src",
      "-e",
      "ip.dst",
    ],
    (pid) => {
      tsharkPid = pid;
    },
  );
  let done = false;
  const result = run.finally(() => {
    done = true;
  });
  // The extcap program and what it starts, seen while tshark runs.
  const watch = (async () => {
    while (!done) {
      if (tsharkPid) {
        const all = processes();
        for (const p of descendants(tsharkPid)) started.set(p, all.get(p)?.cmd ?? "");
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const traffic = (async () => {
    while (!done) {
      await cli(["exec", "--lab", lab, from, "--", "ip", "neigh", "flush", "dev", fromIf]);
      await cli(["exec", "--lab", lab, from, "--", "ping", "-c", "1", "-W", "1", to]);
      await new Promise((r) => setTimeout(r, 300));
    }
  })();
  const r = await result;
  await Promise.all([watch, traffic]);
  expect(r.code, r.stderr).toBe(0);
  const frames = r.stdout
    .trim()
    .split("\n")
    .filter((l) => l)
    .map((l) => l.split("\t"));
  return { frames, started, stderr: r.stderr };
}

/** Every process the extcap started ends once tshark has stopped it. */
async function allGone(pids: readonly number[]): Promise<void> {
  try {
    await waitFor("the extcap's processes to end", () => !pids.some(alive), { timeoutMs: 5000 });
  } catch {
    const left = pids.filter(alive).map((p) => `${p} ${processes().get(p)?.cmd}`);
    throw new Error(`still running after tshark stopped: ${left.join("; ")}`);
  }
}

beforeAll(async () => {
  // What was installed before (scripts/install.sh's, or another copy's) is put back afterwards.
  const path = join(await extcapDir(defaultRunner), EXTCAP_PROGRAM);
  before = existsSync(path) ? readFileSync(path, "utf8") : undefined;
  const install = await cli(["extcap", "install"]);
  expect(install.code, install.stderr).toBe(0);
  extcapFile = /installed (\S+)/.exec(install.stdout)?.[1] ?? "";
  const up = await cli(["up", file]);
  expect(up.code, up.stderr).toBe(0);
  plan = JSON.parse((await cli(["plan", "--json", file])).stdout) as LabPlan;
}, 180_000);

afterAll(async () => {
  await cli(["down", "--lab", lab]);
  if (!extcapFile) return;
  if (before === undefined) rmSync(extcapFile, { force: true });
  else writeFileSync(extcapFile, before, { mode: 0o755 });
});

describe("the extcap program in tshark", () => {
  it("is installed where tshark looks, and tshark -D lists every interface of the lab", async () => {
    expect(readFileSync(extcapFile, "utf8")).toContain('extcap "$@"');
    const r = await tshark(["-D"]);
    expect(r.code, r.stderr).toBe(0);
    for (const n of plan.nodes)
      for (const i of n.interfaces)
        expect(r.stdout).toMatch(
          new RegExp(
            `\\d+\\. wirelab:${lab}:${n.name}:${i.ifname} \\(wirelab ${lab}: ${n.name} ${i.ifname}, link ${i.link}`,
          ),
        );
  });

  const cases = [
    { what: "a namespace vEth", node: "n2", link: "veth", from: "n1", to: "n2" },
    { what: "a QEMU UDP tunnel between VMs", node: "v2", link: "tun", from: "v1", to: "v2" },
    { what: "a wire-daemon hub port", node: "n3", link: "hub", from: "n1", to: "n3" },
  ];
  for (const c of cases) {
    it(`decodes ARP and ICMP on ${c.what}, with directions; nothing is left when tshark stops`, async () => {
      const { frames, started } = await captureThrough(
        c.node,
        interfaceOn(plan, c.node, c.link).ifname,
        ["-c", "8"],
        c.from,
        interfaceOn(plan, c.from, c.link).ifname,
        addressOn(plan, c.to, c.link),
      );
      expect(frames).toHaveLength(8);
      const fromIp = addressOn(plan, c.from, c.link);
      const toIp = addressOn(plan, c.to, c.link);
      const arp = frames.filter((f) => f[1]);
      const icmp = frames.filter((f) => f[2]);
      expect(arp.map((f) => f[1])).toEqual(expect.arrayContaining(["1", "2"]));
      expect(icmp).toEqual(
        expect.arrayContaining([
          expect.arrayContaining(["8", fromIp, toIp]),
          expect.arrayContaining(["0", toIp, fromIp]),
        ]),
      );
      // Directions at the captured node: requests come in (1), replies go out (2).
      expect(Number(icmp.find((f) => f[2] === "8")?.[0])).toBe(1);
      expect(Number(icmp.find((f) => f[2] === "0")?.[0])).toBe(2);
      const cmds = [...started.values()];
      expect(cmds.some((c) => c.includes("extcap --capture"))).toBe(true);
      // Namespace and tunnel ends are read by tcpdump; a daemon port by the daemon's capture stream.
      if (c.link !== "hub")
        expect(cmds.some((x) => x.startsWith("tcpdump") || x.includes(" tcpdump "))).toBe(true);
      await allGone([...started.keys()]);
    });
  }

  it("passes tshark's capture filter to the capture, and stops at -a duration (SIGTERM)", async () => {
    const { frames, started } = await captureThrough(
      "n2",
      interfaceOn(plan, "n2", "veth").ifname,
      ["-f", "icmp", "-a", "duration:4"],
      "n1",
      interfaceOn(plan, "n1", "veth").ifname,
      addressOn(plan, "n2", "veth"),
    );
    expect(frames.length).toBeGreaterThan(1);
    for (const f of frames) expect(f[2], f.join(" ")).not.toBe("");
    await allGone([...started.keys()]);
  });

  it("checks a filter as Wireshark asks (nothing printed when valid, the reason when not)", async () => {
    const name = `wirelab:${lab}:n1:eth1`;
    const ok = await cli([
      "extcap",
      "--extcap-interface",
      name,
      "--extcap-capture-filter",
      "icmp or arp",
    ]);
    expect(ok).toMatchObject({ code: 0, stdout: "" });
    const bad = await cli([
      "extcap",
      "--extcap-interface",
      name,
      "--extcap-capture-filter",
      "icmp and",
    ]);
    expect(bad.code).toBe(0);
    expect(bad.stdout).toMatch(/syntax error/);
  });
});
