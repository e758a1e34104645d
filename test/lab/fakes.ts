/**
 * Stand-ins for what lab commands drive, so that `up`, `down` and their
 * decisions can be tested without root, kernel objects or VMs: a kernel that
 * keeps namespaces and host devices as sets (fed by the `ip -batch` lines it
 * is given), a process starter whose processes are idle Node processes
 * carrying the identity wirelab checks (a QEMU's `-name`, the daemon's
 * config), a guest image of empty files, a port allocator counting up.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Runner, RunResult } from "../../src/exec.js";
import { CommandError } from "../../src/exec.js";
import type { GuestImage } from "../../src/image/build.js";
import type { LabDeps } from "../../src/lab/deps.js";
import { StateStore } from "../../src/lab/state.js";
import type { LabPorts, PortRequest } from "../../src/plan/ports.js";
import { ProcessError, type ProcessExit, type ProcessStarter } from "../../src/process.js";

/** Everything the fakes did, in order: `kernel: LINE`, `start: ARGV`, `stop: ARGV`. */
export type Events = string[];

/** A kernel of sets: namespaces, host devices, devices in namespaces (with their bridge), mirred filters. */
export class FakeKernel {
  readonly namespaces = new Set<string>();
  readonly hostLinks = new Set<string>();
  /** Devices in each namespace, with the bridge each is a port of. */
  readonly inNamespace = new Map<string, Map<string, { master?: string }>>();
  /** Mirred redirects: `from>to`. */
  readonly mirred = new Set<string>();
  /** Taps no process holds (no carrier): made by `tuntap add`, held once a QEMU names them. */
  readonly unheldTaps = new Set<string>();
  /** Makes an `ip -batch` line fail (returns stderr), e.g. to fail a teardown. */
  failLine?: ((line: string) => string | undefined) | undefined;
  /** Called before the first line that changes anything, with that line. */
  beforeChange?: ((line: string) => void) | undefined;

  constructor(private readonly events: Events) {}

  readonly run: Runner = async (file, args, options = {}) => {
    const argv = [file, ...args];
    const ok = (stdout = ""): RunResult => ({
      argv,
      exitCode: 0,
      signal: null,
      stdout,
      stderr: "",
      durationMs: 0,
    });
    const fail = (stderr: string): RunResult => {
      const r = { ...ok(), exitCode: 1, stderr };
      if (options.check ?? true) throw new CommandError(r);
      return r;
    };
    const line = argv.join(" ");
    if (line === "ip -json netns list")
      return ok(JSON.stringify([...this.namespaces].map((name) => ({ name }))));
    if (line === "ip -json link show")
      return ok(
        JSON.stringify(
          [...this.hostLinks].map((ifname) => ({
            ifname,
            flags: this.unheldTaps.has(ifname) ? ["NO-CARRIER", "UP"] : ["UP", "LOWER_UP"],
          })),
        ),
      );
    if (args[0] === "-n" && args.slice(2).join(" ") === "-json link show") {
      const devices = this.inNamespace.get(args[1] as string);
      if (!this.namespaces.has(args[1] as string)) return fail(`Cannot open network namespace`);
      return ok(
        JSON.stringify(
          [...(devices ?? new Map())].map(([ifname, d]) => ({
            ifname,
            ...(d.master ? { master: d.master } : {}),
          })),
        ),
      );
    }
    if (file === "tc" && args.join(" ").startsWith("filter show dev ")) {
      const from = args[3] as string;
      const to = [...this.mirred].find((m) => m.startsWith(`${from}>`))?.split(">")[1];
      return ok(to ? `\taction order 1: mirred (Egress Redirect to device ${to}) stolen\n` : "");
    }
    if (file === "tc" && args[0] === "-batch") {
      for (const l of (options.input ?? "").split("\n")) {
        const m = /^filter add dev (\S+) .* redirect dev (\S+)$/.exec(l);
        if (m) this.mirred.add(`${m[1]}>${m[2]}`);
      }
    }
    if (file === "cpio") {
      writeFileSync(args[args.indexOf("-O") + 1] as string, "");
      return ok();
    }
    if (file === "ip" && args.includes("-batch")) {
      const inNamespace = args[0] === "-n";
      for (const l of (options.input ?? "").split("\n").filter(Boolean)) {
        const err = this.failLine?.(l);
        if (err) {
          this.events.push(`kernel: FAILED ${l}`);
          if (!args.includes("-force")) return fail(err);
          continue;
        }
        if (!inNamespace) this.apply(l);
        else this.applyIn(args[1] as string, l);
      }
      return ok();
    }
    if (file === "tc" || args.includes("sysctl")) this.events.push(`kernel: ${line}`);
    return ok();
  };

  private devicesOf(ns: string): Map<string, { master?: string }> {
    let d = this.inNamespace.get(ns);
    if (!d) {
      d = new Map();
      this.inNamespace.set(ns, d);
    }
    return d;
  }

  /** A line of `ip -n NS -batch`: only bridge ports matter here. */
  private applyIn(ns: string, l: string): void {
    const m = /^link set (\S+) master (\S+)$/.exec(l);
    const dev = m ? this.devicesOf(ns).get(m[1] as string) : undefined;
    if (m && dev) dev.master = m[2] as string;
  }

  private apply(l: string): void {
    const w = l.split(" ");
    const change = () => {
      this.beforeChange?.(l);
      this.beforeChange = undefined;
      this.events.push(`kernel: ${l}`);
    };
    if (w[0] === "netns" && w[1] === "add") {
      change();
      this.namespaces.add(w[2] as string);
    } else if (w[0] === "netns" && w[1] === "delete") {
      change();
      this.namespaces.delete(w[2] as string);
      this.inNamespace.delete(w[2] as string);
    } else if (w[0] === "tuntap" && w[1] === "add") {
      change();
      this.hostLinks.add(w[3] as string);
      this.unheldTaps.add(w[3] as string);
    } else if (w[0] === "link" && w[1] === "delete") {
      change();
      this.hostLinks.delete(w[2] as string);
      for (const m of [...this.mirred]) if (m.startsWith(`${w[2]}>`)) this.mirred.delete(m);
    } else if (w[0] === "link" && w[1] === "add" && w.includes("bridge")) {
      change();
      this.devicesOf(w[w.indexOf("netns") + 1] as string).set(w[2] as string, {});
    } else if (w[0] === "link" && w[1] === "add") {
      change();
      // Each end of a vEth without "netns" is in the host's namespace.
      const peer = w.indexOf("peer");
      const ends = [w.slice(2, w.indexOf("type")), w.slice(peer + 1)];
      for (const e of ends) {
        const ns = e.includes("netns") ? e[e.indexOf("netns") + 1] : undefined;
        if (ns) this.devicesOf(ns).set(e[0] as string, {});
        else this.hostLinks.add(e[0] as string);
      }
    }
  }
}

/** Idle processes standing in for QEMU, the wire supervisor, tcpdump. */
export class FakeProcesses {
  private readonly children = new Set<ChildProcess>();
  /** Makes a start fail: the process is not ready (as a QEMU that does not boot). */
  failStart?: (argv: readonly string[]) => boolean;

  constructor(
    private readonly events: Events,
    private readonly kernel?: FakeKernel,
  ) {}

  readonly start: ProcessStarter = (argv) => {
    this.events.push(`start: ${name(argv)}`);
    // A QEMU holds the taps its -netdev options name.
    for (const a of argv) {
      const tap = /(?:^|,)ifname=([^,]+)/.exec(a)?.[1];
      if (tap) this.kernel?.unheldTaps.delete(tap);
    }
    // The identity wirelab checks in /proc/PID/cmdline: a QEMU's -name, or the daemon's config file.
    // A QEMU's stand-in answers PING on the agent's socket, as a booted guest.
    const agent = argv
      .find((a) => a.startsWith("socket,id=agent,"))
      ?.match(/path=((?:[^,]|,,)+)/)?.[1]
      ?.replaceAll(",,", ",");
    const child = spawn(process.execPath, ["-e", STAND_IN, ...argv], {
      stdio: "ignore",
      env: { ...process.env, FAKE_AGENT: agent ?? "" },
    });
    this.children.add(child);
    const done = new Promise<ProcessExit>((resolve) =>
      child.once("exit", (code, signal) => {
        this.children.delete(child);
        resolve({ code, signal, stderr: "" });
      }),
    );
    const pidfile = argv[argv.indexOf("-pidfile") + 1];
    if (argv.includes("-pidfile") && pidfile) writeFileSync(pidfile, `${child.pid}\n`);
    const failing = this.failStart?.(argv) ?? false;
    const ready = failing
      ? Promise.reject(new ProcessError(argv, "was not ready in 1 ms"))
      : Promise.resolve();
    ready.catch(() => undefined);
    return {
      argv,
      pid: child.pid,
      ready,
      done,
      stop: async () => {
        child.kill("SIGKILL");
        return done;
      },
    };
  };

  /** Kills the stand-in of a started process (as if it died); resolves once it is gone. */
  async kill(pid: number): Promise<void> {
    const child = [...this.children].find((c) => c.pid === pid);
    if (!child) throw new Error(`no process ${pid} was started`);
    const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGKILL");
    await gone;
  }

  /** Kills every stand-in still running. */
  async killAll(): Promise<void> {
    const exits = [...this.children].map(
      (c) => new Promise<void>((resolve) => c.once("exit", () => resolve())),
    );
    for (const c of this.children) c.kill("SIGKILL");
    await Promise.all(exits);
  }
}

/** A process that runs until killed; with FAKE_AGENT, it answers the agent's PING there. */
const STAND_IN = `
const path = process.env.FAKE_AGENT;
if (path)
  require("node:net").createServer((s) => {
    let b = "";
    s.setEncoding("utf8");
    s.on("error", () => {});
    s.on("data", (d) => {
      b += d;
      for (let i = b.indexOf("\\n"); i >= 0; i = b.indexOf("\\n")) {
        const f = b.slice(0, i).split(" ");
        b = b.slice(i + 1);
        if (f[0] === "PING") s.write("PONG " + f[1] + "\\n");
      }
    });
  }).listen(path);
setInterval(() => {}, 1 << 30);
`;

/** A short name for an argv in the event log: `qemu v1`, `wire supervisor`, or the program. */
function name(argv: readonly string[]): string {
  if (argv[0] === "qemu-system-x86_64") return `qemu ${argv[argv.indexOf("-name") + 1]}`;
  if (argv.includes("supervise")) return "wire supervisor";
  return argv.join(" ");
}

/** A lab world: a state directory, the fakes, and the options to pass to lab commands. */
export interface World {
  readonly dir: string;
  readonly store: StateStore;
  readonly kernel: FakeKernel;
  readonly processes: FakeProcesses;
  readonly events: Events;
  readonly deps: LabDeps;
  /** Writes a topology file into the world's folder. */
  file(name: string, yaml: string): string;
  cleanup(): Promise<void>;
}

/** Makes a fresh world with its own temporary folder. */
export function world(): World {
  const dir = mkdtempSync(join(tmpdir(), "wirelab-lab-"));
  const events: Events = [];
  const kernel = new FakeKernel(events);
  const processes = new FakeProcesses(events, kernel);
  const store = new StateStore(join(dir, "state"));
  const imageDir = join(dir, "image");
  mkdirSync(imageDir);
  for (const f of ["vmlinuz", "initrd.gz", "tools.img"]) writeFileSync(join(imageDir, f), "");
  const image = {
    dir: imageDir,
    kernel: join(imageDir, "vmlinuz"),
    initrd: join(imageDir, "initrd.gz"),
    tools: join(imageDir, "tools.img"),
    manifest: { kernelRelease: "6.1.0-test" },
  } as unknown as GuestImage;
  let nextPort = 40000;
  const allocatePorts = async (_lab: string, requests: readonly PortRequest[]) => {
    const ports: { udp: Record<string, number>; tcp: Record<string, number> } = {
      udp: {},
      tcp: {},
    };
    for (const r of requests) ports[r.protocol][r.key] = nextPort++;
    return ports as LabPorts;
  };
  return {
    dir,
    store,
    kernel,
    processes,
    events,
    deps: {
      run: kernel.run,
      start: processes.start,
      store,
      images: async () => image,
      allocatePorts,
      preflight: { requireRoot: () => undefined, requireTools: () => undefined },
    },
    file: (fileName, yaml) => {
      const path = join(dir, fileName);
      writeFileSync(path, yaml);
      return path;
    },
    cleanup: async () => {
      await processes.killAll();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
