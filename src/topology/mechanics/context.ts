/**
 * What netlab's topology mechanics (defaults files, groups, devices,
 * modules) share while they rewrite a topology: the file, the origins of
 * every value, and the lists problems and notes go to.
 */
import type { Diagnostic, DiagnosticCode } from "../../errors.js";
import type { Origin, OriginIndex } from "../origins.js";
import { locateOrigin, type TopologySource } from "../source.js";

/** A topology's format: netlab's (its addressing and defaults) or wirelab's. */
export type TopologyFormat = "netlab" | "wirelab";

/** Settings of a load that come from outside the file. */
export interface LoadOptions {
  /**
   * The device of nodes that name none (netlab's `netlab up -d`): wins over
   * the file's `defaults.device` and `NETLAB_DEVICE`.
   */
  readonly device?: string;
  /**
   * Environment to read `NETLAB_DEVICE` from (netlab docs, "Changing
   * Defaults with Environment Variables").
   * @default process.env
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Reads a defaults file (`defaults.sources.extra`, `topology-defaults.yml`);
   * undefined when it does not exist.
   * @default a synchronous read of the file system
   */
  readonly readFile?: (path: string) => string | undefined;
}

/** The state the mechanics share. */
export interface MechanicsContext {
  /** The topology file. */
  readonly source: TopologySource;
  readonly origins: OriginIndex;
  readonly format: TopologyFormat;
  /** Folder the topology file is in (relative paths in it start there). */
  readonly baseDir: string;
  readonly options: LoadOptions;
  /** Problems, located at once (the data they point into is rewritten later). */
  readonly problems: Diagnostic[];
  /** What the user should know of how the file was read (not problems). */
  readonly notes: string[];
}

/**
 * Reports a problem at a value of `root` (data the mechanics are working
 * on), located now through the origins: a value merged from a group or a
 * defaults file is shown where it was written.
 */
export function report(
  ctx: MechanicsContext,
  root: unknown,
  path: readonly (string | number)[],
  code: DiagnosticCode,
  message: string,
  atKey = false,
): void {
  const origin: Origin = ctx.origins.locate(root, path) ?? { source: ctx.source, path };
  const d = locateOrigin(origin, { code, message, path, atKey });
  // One value given to many nodes (a group's, a default's) is one problem.
  const same = (x: typeof d) =>
    x.file === d.file && x.line === d.line && x.col === d.col && x.message === d.message;
  if (!ctx.problems.some(same)) ctx.problems.push(d);
}

/** Describes a value for a message: `a list`, `nothing`, `string "x"`. */
export function describe(v: unknown): string {
  return Array.isArray(v) ? "a list" : v === null ? "nothing" : `${typeof v} ${JSON.stringify(v)}`;
}
