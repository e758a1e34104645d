/**
 * Helpers for integration tests: copies of the examples under unique lab
 * names, the real CLI run as a child process, and kernel look-ups.
 */

import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { inject } from "vitest";
import { StateStore } from "../../src/lab/state.js";
import { hostTag } from "../../src/plan/names.js";
import type { InterfacePlan, LabPlan } from "../../src/plan/types.js";

import { waitFor } from "../helpers.js";

export { waitFor };

/** Lab names in tests start with this, and carry the test process id. */
export const TEST_PREFIX = `wlt${process.pid}`;

export const stateDir = (): string => inject("stateDir");
export const store = (): StateStore => new StateStore(stateDir());

/** Topology files of the tests, in the state directory, which the global teardown removes. */
const workDir = (): string => {
  const dir = join(stateDir(), "topologies");
  mkdirSync(dir, { recursive: true });
  return dir;
};

/**
 * Writes a topology (an example file or YAML text) under a unique lab name.
 *
 * @returns the file path and lab name
 */
export function labFile(source: string, suffix: string): { file: string; lab: string } {
  const text = source.includes("\n") ? source : readFileSync(source, "utf8");
  const lab = `${TEST_PREFIX}-${suffix}`;
  const body = /^name:.*$/m.test(text)
    ? text.replace(/^name:.*$/m, `name: ${lab}`)
    : `name: ${lab}\n${text}`;
  // An example with files of its own (examples/NAME/, e.g. router configs) takes them along.
  const own = source.includes("\n") ? undefined : source.replace(/\.ya?ml$/, "");
  const dir = own && existsSync(own) ? join(workDir(), lab) : workDir();
  if (own && dir !== workDir()) cpSync(own, join(dir, basename(own)), { recursive: true });
  const file = join(dir, `${lab}.yml`);
  writeFileSync(file, body);
  return { file, lab };
}

/** What a CLI run gave. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a command with the tests' state directory in its environment;
 * returns exit code and output. Asynchronous: a long command must let
 * vitest's own messages through (test/yield-setup.ts).
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string; onStart?: (pid: number) => void } = {},
): Promise<CliResult> {
  const child = spawn(command, args, {
    env: { ...process.env, WIRELAB_STATE_DIR: stateDir(), ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  if (child.pid) options.onStart?.(child.pid);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve) =>
    child.on("close", (c) => resolve({ code: c ?? 128, stdout, stderr })),
  );
}

/** Runs the built CLI (see {@link runCommand}). */
export function cli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCommand(process.execPath, ["dist/cli/bin.js", ...args], { env });
}

/**
 * A lab of every capture source kind: two VMs on a QEMU UDP tunnel (`tun`),
 * two namespaces on a vEth (`veth`) and three on a wire-daemon hub (`hub`).
 */
export const CAPTURE_SOURCES_TOPOLOGY = `
nodes:
  v1: { kind: vm }
  v2: { kind: vm }
  n1: {}
  n2: {}
  n3: {}
links:
  - { v1: {}, v2: {}, name: tun }
  - { n1: {}, n2: {}, name: veth }
  - { n1: {}, n2: {}, n3: {}, name: hub, transport: hub }
`;

/**
 * Runs the built CLI synchronously, for short commands only (an exec, a
 * status): it holds the test worker's event loop while it runs.
 */
export function cliSync(args: readonly string[], env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, ["dist/cli/bin.js", ...args], {
    encoding: "utf8",
    env: { ...process.env, WIRELAB_STATE_DIR: stateDir(), ...env },
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
}

/** `ping -c 1 -W waitS ADDRESS` run in a node with the CLI. */
export function pingFrom(
  lab: string,
  node: string,
  address: string,
  waitS = 2,
): Promise<CliResult> {
  return cli(["exec", "--lab", lab, node, "--", "ping", "-c", "1", "-W", String(waitS), address]);
}

/**
 * Starts the built CLI in the background with the tests' state directory.
 *
 * @returns the child, what it printed on stderr so far, and its exit code when it ends
 */
export function startCli(args: readonly string[]): {
  child: ChildProcess;
  stderr: () => string;
  exit: Promise<number | null>;
} {
  const child = spawn(process.execPath, ["dist/cli/bin.js", ...args], {
    env: { ...process.env, WIRELAB_STATE_DIR: stateDir() },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, stderr: () => stderr, exit };
}

/** Namespaces on the host whose names start with `prefix`. */
export function namespaces(prefix: string): string[] {
  // stderr ignored: ip complains about a namespace file a killed `ip netns add` left unmounted.
  const out = execFileSync("ip", ["-json", "netns", "list"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  }).trim();
  if (!out) return [];
  return (JSON.parse(out) as { name: string }[])
    .map((n) => n.name)
    .filter((n) => n.startsWith(prefix))
    .sort();
}

/** Runs a command in a namespace; returns exit code and output. */
export function inNs(ns: string, argv: readonly string[]): { code: number; stdout: string } {
  const r = spawnSync("ip", ["netns", "exec", ns, ...argv], { encoding: "utf8" });
  return { code: r.status ?? 128, stdout: r.stdout };
}

/**
 * Starts `wirelab up FILE`, waits until at least `minNamespaces` of the lab's
 * namespaces exist, then sends `signal`.
 *
 * @returns the CLI's exit code (null when killed by the signal) and stderr
 */
export async function interruptUp(
  file: string,
  lab: string,
  signal: NodeJS.Signals,
  minNamespaces = 1,
): Promise<{ code: number | null; stderr: string }> {
  const { child, stderr, exit } = startCli(["up", file]);
  const deadline = Date.now() + 10_000;
  while (namespaces(`wl-${lab}`).length < minNamespaces && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 2));
  }
  child.kill(signal);
  const code = await exit;
  return { code, stderr: stderr() };
}

/**
 * What a lab left on the host: QEMU processes, daemons, FRR daemons, host
 * devices, namespaces, mounts. Empty lists when it is gone.
 */
export function leftovers(lab: string): {
  qemu: number[];
  wire: number[];
  frr: number[];
  hostDevices: string[];
  namespaces: string[];
  mounts: string[];
  etcNetns: string[];
} {
  const qemu: number[] = [];
  const wire: number[] = [];
  const frr: number[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      if (argv.some((a) => a.startsWith(`wl-${lab}-`)) && argv[0]?.includes("qemu"))
        qemu.push(Number(pid));
      // The wire daemon and its supervisor name the lab's wire configuration.
      if (argv.some((a) => a.endsWith(`/labs/${lab}/wire/config.json`))) wire.push(Number(pid));
      // socat joining a namespace interface of the lab to the daemon.
      else if (argv[0] === "socat" && argv.some((a) => a.startsWith(`INTERFACE:wl${hostTag(lab)}`)))
        wire.push(Number(pid));
      // An FRR daemon sees the lab's router folder bound on its /etc/frr.
      else if (
        argv[0]?.startsWith("/usr/lib/frr/") &&
        readFileSync(`/proc/${pid}/mountinfo`, "utf8").includes(`/labs/${lab}/routers/`)
      )
        frr.push(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  const links = JSON.parse(execFileSync("ip", ["-json", "link", "show"], { encoding: "utf8" })) as {
    ifname: string;
  }[];
  const hostDevices = links.map((l) => l.ifname).filter((n) => n.startsWith(`wl${hostTag(lab)}`));
  const mounts = readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .filter((l) => l.includes(`/wl-${lab}-`) || l.includes(`/labs/${lab}/`));
  // iproute2's per-namespace files (the lab's hosts files).
  const etcNetns = existsSync("/etc/netns")
    ? readdirSync("/etc/netns").filter((n) => n === `wl-${lab}` || n.startsWith(`wl-${lab}-`))
    : [];
  return { qemu, wire, frr, hostDevices, namespaces: namespaces(`wl-${lab}`), mounts, etcNetns };
}

/** What {@link leftovers} finds of a lab that is gone. */
export const NOTHING_LEFT = {
  qemu: [],
  wire: [],
  frr: [],
  hostDevices: [],
  namespaces: [],
  mounts: [],
  etcNetns: [],
};

/** PID in a VM's pidfile. */
export function vmPid(lab: string, node: string): number {
  return Number(readFileSync(join(stateDir(), "labs", lab, "vm", `${node}.pid`), "utf8").trim());
}

/**
 * Sends one raw Ethernet frame from a namespace's interface (python3, AF_PACKET).
 *
 * @param dst - destination MAC, e.g. `01:80:c2:00:00:02`
 * @param ethertype - e.g. 0x8809 (slow protocols: LACP)
 */
export function sendRawFrame(
  ns: string,
  ifname: string,
  dst: string,
  ethertype: number,
  payload: Buffer = Buffer.alloc(46),
): void {
  const script = [
    "import socket, sys",
    "s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)",
    "s.bind((sys.argv[1], 0))",
    "src = open('/sys/class/net/%s/address' % sys.argv[1]).read().strip()",
    "mac = lambda m: bytes(int(x, 16) for x in m.split(':'))",
    "body = bytes.fromhex(sys.argv[4])",
    "s.send(mac(sys.argv[2]) + mac(src) + int(sys.argv[3]).to_bytes(2, 'big') + body + bytes(max(0, 46 - len(body))))",
  ].join("\n");
  execFileSync("ip", [
    "netns",
    "exec",
    ns,
    "/usr/bin/python3",
    "-c",
    script,
    ifname,
    dst,
    String(ethertype),
    payload.toString("hex"),
  ]);
}

/**
 * An LLDPDU (IEEE 802.1AB-2016 §8): chassis ID (MAC), port ID (interface
 * name), TTL 120 s, system name, end. Sent to 01:80:c2:00:00:0e, ethertype 0x88cc.
 */
export function lldpdu(mac: string, ifname: string, systemName: string): Buffer {
  const tlv = (type: number, value: Buffer) => {
    const head = Buffer.alloc(2);
    head.writeUInt16BE((type << 9) | value.length);
    return Buffer.concat([head, value]);
  };
  const macBytes = Buffer.from(mac.split(":").map((x) => Number.parseInt(x, 16)));
  return Buffer.concat([
    tlv(1, Buffer.concat([Buffer.from([4]), macBytes])),
    tlv(2, Buffer.concat([Buffer.from([5]), Buffer.from(ifname)])),
    tlv(3, Buffer.from([0, 120])),
    tlv(5, Buffer.from(systemName)),
    tlv(0, Buffer.alloc(0)),
  ]);
}

/**
 * Captures one frame: starts tcpdump (`argv`, in a namespace or not), runs
 * `send` once it listens, and returns its exit code and what it printed.
 *
 * @param argv - program and arguments, e.g. `["tcpdump", "-n", "-e", "-l", "-c", "1", "-i", "eth1", FILTER]`
 */
export async function captureOne(
  argv: readonly string[],
  send: () => void,
  timeoutMs = 5000,
): Promise<{ code: number | null; out: string }> {
  const dump = spawn(argv[0] as string, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  dump.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  await new Promise<void>((resolve) =>
    dump.stderr.on("data", (d: Buffer) => d.toString().includes("listening") && resolve()),
  );
  send();
  const code = await new Promise<number | null>((resolve) => {
    const t = setTimeout(() => dump.kill(), timeoutMs);
    dump.on("exit", (c) => {
      clearTimeout(t);
      resolve(c);
    });
  });
  return { code, out };
}

/** A node's interface on a link of a plan. @throws {Error} when it has none */
export function interfaceOn(plan: LabPlan, node: string, link: string): InterfacePlan {
  const i = plan.nodes.find((n) => n.name === node)?.interfaces.find((x) => x.link === link);
  if (!i) throw new Error(`${node} has no interface on ${link}`);
  return i;
}

/** A node's IPv4 address (without the length) on a link of a plan. */
export function addressOn(plan: LabPlan, node: string, link: string): string {
  return interfaceOn(plan, node, link).ipv4?.split("/")[0] as string;
}

/**
 * Sends a UDP datagram and 200,000 bytes over TCP from one namespace to an
 * address in another (socat at both ends): what checksum offload or
 * segmentation would break on a path through user space.
 *
 * @returns what the UDP receiver got, and how many TCP bytes arrived
 */
export async function udpAndTcp(
  fromNs: string,
  toNs: string,
  address: string,
): Promise<{ udp: string; tcpBytes: number }> {
  const receive = (argv: string[]) => {
    const p = spawn("ip", ["netns", "exec", toNs, "timeout", "10", ...argv], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    let out = "";
    p.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const closed = new Promise<void>((resolve) => p.on("close", () => resolve()));
    return { text: () => out, closed, stop: () => p.kill() };
  };
  const listening = (port: number) =>
    waitFor(`a listener on port ${port} in ${toNs}`, () =>
      inNs(toNs, ["ss", "-lnH", `sport = :${port}`]).stdout.includes(`:${port}`),
    );
  const udp = receive(["socat", "-u", "UDP-RECV:9999", "-"]);
  try {
    await listening(9999);
    inNs(fromNs, ["sh", "-c", `echo hello-udp | socat -u - UDP-SENDTO:${address}:9999`]);
    await waitFor("the UDP datagram", () => udp.text().includes("\n"), { timeoutMs: 3000 }).catch(
      () => undefined,
    );
  } finally {
    udp.stop();
    await udp.closed;
  }
  const tcp = receive(["sh", "-c", "socat -u TCP-LISTEN:9998,reuseaddr - | wc -c"]);
  await listening(9998);
  inNs(fromNs, [
    "sh",
    "-c",
    `head -c 200000 /dev/zero | socat -u - TCP:${address}:9998,connect-timeout=5`,
  ]);
  await tcp.closed;
  return { udp: udp.text().trim(), tcpBytes: Number(tcp.text().trim()) };
}

/**
 * An `up`'s stderr without its notes that a VM shape's snapshot is being
 * made (whether one is depends on which test made it first).
 */
export function upWarnings(stderr: string): string {
  return stderr
    .split("\n")
    .filter((l) => !/^wirelab: making the snapshot for VMs of /.test(l))
    .join("\n");
}
