/**
 * Error types and diagnostics shared by every stage of the pipeline.
 *
 * Validation problems are data ({@link Diagnostic}); a stage that finds any
 * throws one {@link TopologyError} carrying all of them, so the user sees every
 * problem in the file at once.
 */

/** Closed set of diagnostic codes; tests assert these, not message wording. */
export type DiagnosticCode =
  | "bad-file"
  | "yaml-syntax"
  | "unknown-key"
  | "bad-type"
  | "bad-value"
  | "bad-name"
  | "name-too-long"
  | "duplicate-name"
  | "unknown-node"
  | "ambiguous-link"
  | "link-too-short"
  | "duplicate-interface"
  | "bad-prefix"
  | "address-clash"
  | "address-outside-prefix"
  | "pool-exhausted"
  | "bad-route"
  | "unsupported";

/** A single problem found in a topology, with where it is. */
export interface Diagnostic {
  /** Machine-readable kind of problem. */
  readonly code: DiagnosticCode;
  /** Sentence-case message that names the value and says what to do. */
  readonly message: string;
  /** Path of the offending value in the document, e.g. `["links", 2, "transport"]`. */
  readonly path: readonly (string | number)[];
  /** Path of a second place involved (the first use of a clashing address or name). */
  readonly related?: readonly (string | number)[];
  /** Position of `related`, once located, as `file:line:col`. */
  readonly relatedAt?: string;
  /** Point at the key of `path` rather than at its value (unknown keys). */
  readonly atKey?: boolean;
  /** File the problem is in, once located. */
  readonly file?: string;
  /** 1-based line, once located. */
  readonly line?: number;
  /** 1-based column, once located. */
  readonly col?: number;
  /** The source line, for a caret display. */
  readonly sourceLine?: string;
}

/** Base class of every error wirelab throws on purpose. */
export class WirelabError extends Error {
  /** Exit code the CLI uses for this error. @default 1 */
  readonly exitCode: number = 1;
  override name = "WirelabError";
}

/** The topology (or a plan made from it) is invalid; carries every problem found. */
export class TopologyError extends WirelabError {
  override readonly exitCode = 2;
  override name = "TopologyError";
  /**
   * @param diagnostics - every problem found, in document order
   */
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(
      `${diagnostics.length} problem${diagnostics.length === 1 ? "" : "s"} in topology:\n` +
        diagnostics.map(formatDiagnostic).join("\n"),
    );
  }
}

/** A command needs root (CAP_NET_ADMIN and friends) and the process does not have it. */
export class PermissionError extends WirelabError {
  override readonly exitCode = 77;
  override name = "PermissionError";
}

/** The command line is wrong: options that disagree, a value out of range. */
export class UsageError extends WirelabError {
  override readonly exitCode = 2;
  override name = "UsageError";
}

/** A lab-level conflict or missing lab: wrong state, collision with other objects, unknown lab or node. */
export class LabError extends WirelabError {
  override name = "LabError";
}

/**
 * Formats a diagnostic as `file:line:col: message` (or `path: message` when it
 * has no position).
 *
 * @param d - the diagnostic
 * @returns one line, without the source excerpt
 */
export function formatDiagnostic(d: Diagnostic): string {
  const where =
    d.file !== undefined && d.line !== undefined
      ? `${d.file}:${d.line}:${d.col ?? 1}`
      : d.file !== undefined
        ? d.file
        : formatPath(d.path) || "topology";
  return `${where}: ${d.message}${d.relatedAt ? ` (other place: ${d.relatedAt})` : ""}`;
}

/**
 * Renders a document path the way users write it: `links[2].transport`.
 *
 * @param path - keys and indexes from the document root
 */
export function formatPath(path: readonly (string | number)[]): string {
  let out = "";
  for (const p of path) {
    out += typeof p === "number" ? `[${p}]` : out === "" ? p : `.${p}`;
  }
  return out;
}

/** What a failed command left behind (a `RunResult` of `exec.ts`, as far as messages need it). */
export interface FailedRun {
  /** Program and arguments as run. */
  readonly argv: readonly string[];
  /** Exit code; `null` when killed by a signal. */
  readonly exitCode: number | null;
  /** Signal that ended it, if any. */
  readonly signal: string | null;
  readonly stdout?: string;
  readonly stderr: string;
  /** Wall-clock run time in ms. */
  readonly durationMs?: number;
}

/** A program exited non-zero, was killed, or could not be started. */
export class CommandError extends WirelabError {
  override name = "CommandError";
  /** @param result - the failed run */
  constructor(readonly result: FailedRun) {
    const status =
      result.signal !== null
        ? `killed by ${result.signal}`
        : result.exitCode === 127 || result.exitCode === -2
          ? "not found (is it installed?)"
          : `exit code ${result.exitCode}`;
    const stderr = result.stderr.trim();
    super(
      `command failed (${status}): ${result.argv.join(" ")}${stderr ? `\n${indent(stderr)}` : ""}`,
    );
  }
}

function indent(text: string): string {
  const lines = text.split("\n");
  const shown =
    lines.length > 20 ? [...lines.slice(0, 20), `… ${lines.length - 20} more lines`] : lines;
  return shown.map((l) => `  ${l}`).join("\n");
}
