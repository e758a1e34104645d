/**
 * Running short external programs (`ip`, `tc`, `ping`, `sysctl`) with argument
 * arrays, never through a shell. Everything that drives processes takes a
 * {@link Runner} so tests can record the argv instead of running it.
 */
import { execa } from "execa";
import { CommandError } from "./errors.js";
import { findOnPath } from "./find-tool.js";

export { CommandError };

/** Options for one command run. */
export interface RunOptions {
  /** Text written to the command's standard input (e.g. an `ip -batch -` script). */
  readonly input?: string;
  /** Throw {@link CommandError} on a non-zero exit. @default true */
  readonly check?: boolean;
  /** Kill the command after this many ms. @default undefined (no limit) */
  readonly timeoutMs?: number;
  /** Working directory. @default the current one */
  readonly cwd?: string;
  /** Inherit the terminal (interactive commands such as `exec`). @default false */
  readonly inheritStdio?: boolean;
  /**
   * Kill the command if wirelab dies (`setpriv --pdeathsig KILL`, util-linux),
   * so an `ip -batch` never outlives a killed `up` and races the next one.
   * @default true
   */
  readonly dieWithParent?: boolean;
}

/** What a finished command left behind. */
export interface RunResult {
  /** Program and arguments as run. */
  readonly argv: readonly string[];
  /** Exit code; `null` when killed by a signal. */
  readonly exitCode: number | null;
  /** Signal that ended it, if any. */
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall-clock run time in ms. */
  readonly durationMs: number;
  /** Killed because `timeoutMs` passed. */
  readonly timedOut?: boolean;
}

/** Runs one program: `(file, args, options) → result`. */
export type Runner = (
  file: string,
  args: readonly string[],
  options?: RunOptions,
) => Promise<RunResult>;

/**
 * The real runner, on execa.
 *
 * @throws {CommandError} when `check` is on and the program fails or is missing
 */
export const defaultRunner: Runner = async (file, args, options = {}) => {
  const started = performance.now();
  const setpriv = (options.dieWithParent ?? true) ? setprivPath() : undefined;
  const [program, argv] = setpriv
    ? [setpriv, ["--pdeathsig", "KILL", "--", file, ...args]]
    : [file, [...args]];
  const r = await execa(program, argv, {
    reject: false,
    ...(options.input !== undefined ? { input: options.input } : {}),
    ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    ...(options.inheritStdio ? { stdio: "inherit" as const } : {}),
    stripFinalNewline: false,
  });
  const result: RunResult = {
    argv: [file, ...args],
    exitCode: r.exitCode ?? (r.failed && r.signal === undefined ? 127 : null),
    signal: r.signal ?? null,
    stdout: typeof r.stdout === "string" ? r.stdout : "",
    stderr:
      typeof r.stderr === "string"
        ? r.stderr
        : r.originalMessage && r.exitCode === undefined
          ? r.originalMessage
          : "",
    durationMs: performance.now() - started,
    timedOut: r.timedOut === true,
  };
  if ((options.check ?? true) && (result.exitCode !== 0 || result.signal !== null)) {
    throw new CommandError(result);
  }
  return result;
};

let setprivCache: string | null | undefined;
function setprivPath(): string | undefined {
  if (setprivCache === undefined) setprivCache = findOnPath("setpriv") ?? null;
  return setprivCache ?? undefined;
}
