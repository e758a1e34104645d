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

/** A kernel of sets: namespaces and host devices. */
export class FakeKernel {
  readonly namespaces = new Set<string>();
  readonly hostLinks = new Set<string>();
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
      return ok(JSON.stringify([...this.hostLinks].map((ifname) => ({ ifname }))));
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
      }
      return ok();
    }
    if (file === "tc" || args.includes("sysctl")) this.events.push(`kernel: ${line}`);
    return ok();
  };

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
    } else if (w[0] === "tuntap" && w[1] === "add") {
      change();
      this.hostLinks.add(w[3] as string);
    } else if (w[0] === "link" && w[1] === "delete") {
      change();
      this.hostLinks.delete(w[2] as string);
    } else if (w[0] === "link" && w[1] === "add") {
      change();
      // Each end of a vEth without "netns" is in the host's namespace.
      const peer = w.indexOf("peer");
      const ends = [w.slice(2, w.indexOf("type")), w.slice(peer + 1)];
      for (const e of ends) if (!e.includes("netns")) this.hostLinks.add(e[0] as string);
    }
  }
}

/** Idle processes standing in for QEMU, the wire supervisor, tcpdump. */
export class FakeProcesses {
  private readonly children = new Set<ChildProcess>();
  /** Makes a start fail: the process is not ready (as a QEMU that does not boot). */
  failStart?: (argv: readonly string[]) => boolean;

  constructor(private readonly events: Events) {}

  readonly start: ProcessStarter = (argv) => {
    this.events.push(`start: ${name(argv)}`);
    // The identity wirelab checks in /proc/PID/cmdline: a QEMU's -name, or the daemon's config file.
    const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1 << 30)", ...argv], {
      stdio: "ignore",
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
  const processes = new FakeProcesses(events);
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
