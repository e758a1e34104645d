/**
 * Long-lived processes: tcpdump, socat, the wire daemon, QEMU. Short
 * commands go through a {@link Runner} (`exec.ts`); everything that keeps
 * running goes through a {@link ProcessStarter}, injected the same way so
 * that code driving processes can be tested without them. Also the one
 * liveness check and the one way to stop a process wirelab started.
 */
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import type { Readable, Writable } from "node:stream";
import { WirelabError } from "./errors.js";
import { findOnPath } from "./find-tool.js";

/** How long a process may take to be ready unless told otherwise, in ms. */
export const DEFAULT_READY_TIMEOUT_MS = 30_000;

/** How often a readiness probe is tried, in ms. */
export const DEFAULT_PROBE_INTERVAL_MS = 50;

/** How long a stopped process gets between SIGTERM and SIGKILL, in ms. */
export const STOP_GRACE_MS = 3000;

/** How often a stopping process is checked for, in ms. */
const STOP_POLL_MS = 50;

/** Lines of output kept for error messages. */
const OUTPUT_TAIL_LINES = 20;

/**
 * When a started process counts as ready: a line of its output matches, or a
 * probe (connecting to its socket, say) succeeds.
 */
export type ReadyWhen =
  | { readonly stderr: RegExp }
  | { readonly stdout: RegExp }
  | { readonly probe: () => Promise<boolean>; readonly intervalMs?: number };

/** Options of a {@link ProcessStarter}. */
export interface StartOptions {
  /** @default ready as soon as it is spawned */
  readonly readyWhen?: ReadyWhen;
  /** Give up waiting for ready after this many ms and stop it. @default DEFAULT_READY_TIMEOUT_MS */
  readonly readyTimeoutMs?: number;
  /**
   * Keep running after wirelab exits (its own session; stopped later by PID).
   * Otherwise it is killed when wirelab dies, even by SIGKILL
   * (`setpriv --pdeathsig KILL`, util-linux). @default false
   */
  readonly detached?: boolean;
  /**
   * Its stdout and stderr: readable pipes, appended to a file, this
   * process's own, or nowhere. @default "pipe"
   */
  readonly output?: "pipe" | "inherit" | "ignore" | { readonly file: string };
  /** Its stderr, when it should go elsewhere than `output`. @default as `output` */
  readonly stderr?: "pipe" | "inherit" | "ignore";
  /** Its stdin: a pipe to write to, or nothing. @default "ignore" */
  readonly input?: "pipe" | "ignore";
  /** Stops it when aborted. */
  readonly signal?: AbortSignal;
  /**
   * The program puts itself in the background (QEMU's `-daemonize`): what
   * was started exits 0 once the daemon runs, having written the daemon's
   * PID to `pidfile`. The handle's `pid`, `done` and `stop` then refer to the
   * daemon (which outlives wirelab), `done` observed by polling; `readyWhen`
   * must be a probe. Its output goes where `output` says until it detaches.
   */
  readonly daemonizes?: { readonly pidfile: string };
}

/** How a process ended. */
export interface ProcessExit {
  /** Exit code; null when a signal ended it. */
  readonly code: number | null;
  readonly signal: string | null;
  /** Its last lines on stderr, when piped. */
  readonly stderr: string;
}

/** A started process. */
export interface ProcessHandle {
  readonly argv: readonly string[];
  /** Undefined when it could not be spawned at all. */
  readonly pid: number | undefined;
  /**
   * Resolves once it is ready.
   * @throws {ProcessError} when it ends first or does not get ready in time
   */
  readonly ready: Promise<void>;
  /** Resolves when it has ended (never rejects). */
  readonly done: Promise<ProcessExit>;
  readonly stdin?: Writable;
  readonly stdout?: Readable;
  readonly stderr?: Readable;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has ended. */
  stop(graceMs?: number): Promise<ProcessExit>;
}

/** Starts a long-lived process: `(argv, options) → handle`. */
export type ProcessStarter = (argv: readonly string[], options?: StartOptions) => ProcessHandle;

/** A long-lived process ended before it was ready, or never got ready. */
export class ProcessError extends WirelabError {
  override name = "ProcessError";
  /**
   * @param argv - what was started
   * @param why - what happened, e.g. "exited with code 1"
   * @param output - its last lines of output, if any
   */
  constructor(
    readonly argv: readonly string[],
    why: string,
    readonly output = "",
    /** How it ended; undefined when it was still running but not ready in time. */
    readonly exit?: ProcessExit,
  ) {
    super(
      `${argv[0] ?? "process"} ${why}: ${argv.join(" ")}${output.trim() ? `\n${indent(output.trim())}` : ""}`,
    );
  }
}

function indent(text: string): string {
  return text
    .split("\n")
    .slice(-OUTPUT_TAIL_LINES)
    .map((l) => `  ${l}`)
    .join("\n");
}

/**
 * The real starter, on Node's `child_process.spawn` (a file descriptor is
 * handed to the child, so a detached one keeps writing its log after
 * wirelab exits, which a pipe through wirelab would not allow).
 */
export const startProcess: ProcessStarter = (argv, options = {}) => {
  if (options.daemonizes) return startDaemon(argv, options, options.daemonizes.pidfile);
  const detached = options.detached ?? false;
  const setpriv = detached ? undefined : findOnPath("setpriv");
  const [file, args] = setpriv
    ? [setpriv, ["--pdeathsig", "KILL", "--", ...argv]]
    : [argv[0] as string, argv.slice(1)];
  const out = options.output ?? "pipe";
  const fd = typeof out === "object" ? openSync(out.file, "a") : undefined;
  const stdio = fd ?? (out as "pipe" | "inherit" | "ignore");
  const child = spawn(file, args, {
    detached,
    stdio: [options.input ?? "ignore", stdio, options.stderr ?? stdio],
  });
  if (fd !== undefined) closeSync(fd);
  if (detached) child.unref();
  let stderrTail = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderrTail = (stderrTail + d.toString()).slice(-8192);
  });
  const done = new Promise<ProcessExit>((resolve) => {
    child.once("error", (e) => resolve({ code: null, signal: null, stderr: e.message }));
    child.once("close", (code, sig) => resolve({ code, signal: sig, stderr: stderrTail }));
  });
  const stop = async (graceMs = STOP_GRACE_MS): Promise<ProcessExit> => {
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    const exit = await done;
    clearTimeout(timer);
    return exit;
  };
  stopOnAbort(options.signal, stop, done);
  const ready = waitReady(argv, child, done, options, stop);
  // Nobody need wait for readiness; an unwatched failure must not become an unhandled rejection.
  ready.catch(() => undefined);
  return {
    argv,
    pid: child.pid,
    ready,
    done,
    ...(child.stdin ? { stdin: child.stdin } : {}),
    ...(child.stdout ? { stdout: child.stdout } : {}),
    ...(child.stderr ? { stderr: child.stderr } : {}),
    stop,
  };
};

/** Stops a process when `signal` aborts, until it has ended. */
function stopOnAbort(
  signal: AbortSignal | undefined,
  stop: () => Promise<ProcessExit>,
  done: Promise<ProcessExit>,
): void {
  if (!signal) return;
  const onAbort = () => void stop();
  signal.addEventListener("abort", onAbort, { once: true });
  void done.then(() => signal.removeEventListener("abort", onAbort));
}

/** How long a daemonizing launch may take to finish once it is asked to stop, in ms. */
const LAUNCH_GRACE_MS = 10_000;

/** How often a daemon that is not wirelab's child is checked for, in ms. */
const DAEMON_POLL_MS = 100;

/** A program that daemonizes itself: started as a child, followed through its pidfile. */
function startDaemon(
  argv: readonly string[],
  options: StartOptions,
  pidfile: string,
): ProcessHandle {
  const when = options.readyWhen;
  if (when && !("probe" in when))
    throw new Error("a daemonizing program's readiness must be a probe (its output is detached)");
  const { daemonizes: _, readyWhen: __, signal: ___, ...launch } = options;
  const launcher = startProcess(argv, { ...launch, detached: false });
  const readPid = async () =>
    Number.parseInt(await readFile(pidfile, "utf8").catch(() => ""), 10) || undefined;
  let pid: number | undefined;
  // The launch has ended: the daemon's PID is known when it succeeded.
  const launched = launcher.done.then(async (exit) => {
    if (exit.code === 0 && !exit.signal) pid = await readPid();
    return exit;
  });
  const done = launched.then((exit): ProcessExit | Promise<ProcessExit> => {
    if (exit.code !== 0 || exit.signal) return exit;
    const daemon = pid;
    if (daemon === undefined) return { ...exit, code: null, stderr: `no PID in ${pidfile}` };
    // Not wirelab's child: its end is seen by polling, which must not keep wirelab running.
    return new Promise<ProcessExit>((resolve) => {
      const tick = () => {
        if (!isAlive(daemon)) resolve({ code: null, signal: null, stderr: "" });
        else setTimeout(tick, DAEMON_POLL_MS).unref();
      };
      tick();
    });
  });
  let launchEnded = false;
  void launcher.done.then(() => {
    launchEnded = true;
  });
  const stop = async (graceMs = STOP_GRACE_MS): Promise<ProcessExit> => {
    // Killing the launch halfway would orphan a daemon it already forked: let it finish, then stop that.
    if (!launchEnded) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([launched, new Promise((r) => (timer = setTimeout(r, LAUNCH_GRACE_MS)))]);
      clearTimeout(timer);
    }
    if (!launchEnded) await launcher.stop(graceMs);
    await launched;
    // A launch stopped halfway may have left a daemon behind: its pidfile says.
    const daemon = pid ?? (await readPid());
    if (daemon !== undefined && isAlive(daemon)) await stopPid(daemon, graceMs);
    return done;
  };
  stopOnAbort(options.signal, stop, done);
  // Ready once it runs in the background, and then when its own probe says so.
  const probe = async () => pid !== undefined && isAlive(pid) && (when ? await when.probe() : true);
  const ready = waitReady(
    argv,
    { stdout: null, stderr: null },
    done,
    { ...options, readyWhen: { probe, intervalMs: when?.intervalMs ?? DEFAULT_PROBE_INTERVAL_MS } },
    stop,
  );
  ready.catch(() => undefined);
  return {
    argv,
    get pid() {
      return pid;
    },
    ready,
    done,
    stop,
  };
}

function waitReady(
  argv: readonly string[],
  child: { stdout: Readable | null; stderr: Readable | null },
  done: Promise<ProcessExit>,
  options: StartOptions,
  stop: () => Promise<ProcessExit>,
): Promise<void> {
  const when = options.readyWhen;
  const timeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  let settled = false;
  return new Promise<void>((resolve, reject) => {
    const finish = (e?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (e) reject(e);
      else resolve();
    };
    const timer = setTimeout(() => {
      void stop();
      finish(new ProcessError(argv, `was not ready in ${timeoutMs} ms`));
    }, timeoutMs);
    void done.then((exit) =>
      finish(
        new ProcessError(
          argv,
          exit.signal
            ? `was killed by ${exit.signal}`
            : exit.code !== null
              ? `exited with code ${exit.code}`
              : "exited",
          exit.stderr,
          exit,
        ),
      ),
    );
    if (!when) {
      finish();
      return;
    }
    if ("probe" in when) {
      const tick = async () => {
        while (!settled) {
          if (await when.probe().catch(() => false)) return finish();
          await new Promise((r) => setTimeout(r, when.intervalMs ?? DEFAULT_PROBE_INTERVAL_MS));
        }
      };
      void tick();
      return;
    }
    const [stream, pattern] =
      "stderr" in when ? [child.stderr, when.stderr] : [child.stdout, when.stdout];
    let seen = "";
    stream?.on("data", (d: Buffer) => {
      if (settled) return;
      seen = (seen + d.toString()).slice(-4096);
      if (pattern.test(seen)) finish();
    });
  });
}

/**
 * Whether a process runs. A process of another user (EPERM) runs too; one
 * that has exited but is not reaped yet (a zombie, state `Z` in
 * /proc/PID/stat, proc(5)) does not: its parent may be an init that reaps
 * late.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The state follows the command name, which is in parentheses and may hold any character.
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/**
 * The PID a pidfile names, if that process runs and is the one the pidfile
 * was written for: /proc/PID/cmdline must satisfy `isOurs`, so a recycled
 * PID is never taken for it.
 *
 * @param isOurs - tells from the process's argv whether it is the expected one
 */
export async function pidFromFile(
  pidfile: string,
  isOurs: (argv: readonly string[]) => boolean,
): Promise<number | undefined> {
  const pid = Number.parseInt(await readFile(pidfile, "utf8").catch(() => ""), 10);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
  return cmdline && isOurs(cmdline.split("\0")) ? pid : undefined;
}

/**
 * Running processes whose argv satisfies `match` (from /proc/PID/cmdline):
 * how wirelab finds what it started when a pidfile was never written or is
 * gone.
 *
 * @returns their PIDs, this process excluded
 */
export async function findProcesses(
  match: (argv: readonly string[]) => boolean,
): Promise<number[]> {
  const pids = (await readdir("/proc")).filter((p) => /^\d+$/.test(p)).map(Number);
  const found: number[] = [];
  for (const pid of pids) {
    if (pid === process.pid) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (cmdline && match(cmdline.split("\0")) && isAlive(pid)) found.push(pid);
  }
  return found;
}

/**
 * Stops a process by PID: SIGTERM, then SIGKILL after `graceMs` if it is
 * still there; resolves once it is gone.
 */
export async function stopPid(pid: number, graceMs = STOP_GRACE_MS): Promise<void> {
  signal(pid, "SIGTERM");
  for (let waited = 0; waited < graceMs && isAlive(pid); waited += STOP_POLL_MS) {
    await new Promise((r) => setTimeout(r, STOP_POLL_MS));
  }
  if (isAlive(pid)) signal(pid, "SIGKILL");
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}
