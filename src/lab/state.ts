/**
 * The record of what a lab has created, kept on disk so that `down` can undo
 * it after anything: a finished `up`, an `up` killed halfway, a crash.
 *
 * Layout: `<stateDir>/labs/<lab>/state.json` (see {@link defaultStateDir}
 * and docs/design.md, "State"). Each write goes to a temporary file renamed
 * over the old one, so a reader never sees half a record. A record that
 * cannot be read affects its own lab only.
 */
import { readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { makeDirs } from "../dirs.js";
import { LabError } from "../errors.js";
import type { LabPorts } from "../plan/ports.js";
import type { LabPlan } from "../plan/types.js";
import type { ProcessStarter } from "../process.js";
import type { Owned } from "../providers/provider.js";
import type { SpliceRecord } from "../providers/wire/splice.js";
import { takeLock } from "./lock.js";

/** State format version (2: providers' parts in `owned`, plan version 2). */
export const STATE_VERSION = 2;

/**
 * Where lab state lives: `$WIRELAB_STATE_DIR`, else `/var/lib/wirelab`.
 */
export function defaultStateDir(): string {
  return process.env.WIRELAB_STATE_DIR ?? "/var/lib/wirelab";
}

/** What one provider owns in a lab. */
export interface OwnedSlice {
  /** The provider's name (`netns`, `wire`, `qemu`). */
  readonly provider: string;
  /** Its own record of what it created (only it reads this). */
  readonly owned: Owned;
}

/** What one lab has (or is about to have) on the host. */
export interface LabState {
  readonly version: typeof STATE_VERSION;
  readonly lab: string;
  /** Absolute path of the topology file the lab was built from. */
  readonly file: string;
  /**
   * `creating` until `up` finished; `up` after; `applying` while an edited
   * topology is applied (`plan` runs, `target` is to run); `destroying`
   * while `down` runs.
   */
  readonly status: "creating" | "up" | "applying" | "destroying";
  readonly plan: LabPlan;
  /** While `applying`: the plan the lab is being changed to. */
  readonly target?: LabPlan;
  /** Ports it holds on 127.0.0.1. */
  readonly ports: LabPorts;
  /**
   * The rollback stack: what each provider owns, in the order their steps
   * ran, each entry written before its provider's first step; `down` (and a
   * failed `up`) undoes them from the last.
   */
  readonly owned: readonly OwnedSlice[];
  /**
   * Links (and LAN ports) spliced onto the wire daemon live by `wirelab
   * link`, with their ports in `ports`; absent when none is.
   */
  readonly spliced?: readonly SpliceRecord[];
  /** Nodes stopped by `wirelab stop`, their wires parked; absent when none is. */
  readonly stopped?: readonly string[];
  /** ISO 8601 time of the last change. */
  readonly updated: string;
}

/** A lab's record is there, but it is not one wirelab can use. */
export class UnreadableRecordError extends LabError {
  override name = "UnreadableRecordError";
  /**
   * @param lab - the lab (its folder's name)
   * @param file - the record's path
   * @param why - what is wrong with it
   */
  constructor(
    readonly lab: string,
    readonly file: string,
    readonly why: string,
  ) {
    super(
      `the record of lab "${lab}" (${file}) cannot be used: ${why}; "wirelab down --lab ${lab}" removes what it can find of the lab by its name`,
    );
  }
}

/** The state directory cannot be written (read-only, full, not ours). */
export class StateDirError extends LabError {
  override name = "StateDirError";
}

/** What {@link StateStore.scan} found. */
export interface StateScan {
  /** Records that could be read, sorted by lab. */
  readonly states: readonly LabState[];
  /** Labs whose record is there but cannot be used. */
  readonly unreadable: readonly UnreadableRecordError[];
}

/** Reads and writes lab records under one state directory. */
export class StateStore {
  /** @param dir - state directory @default defaultStateDir() */
  constructor(readonly dir: string = defaultStateDir()) {}

  /** Directory of one lab (its pidfiles and logs go here too). */
  labDir(lab: string): string {
    return join(this.dir, "labs", lab);
  }

  /**
   * The lab's record (an older version's made current), or undefined when
   * the lab is not known.
   *
   * @throws {UnreadableRecordError} when the record is not JSON or not a record wirelab wrote
   * @throws {StateDirError} when the state directory cannot be read
   */
  async read(lab: string): Promise<LabState | undefined> {
    const file = join(this.labDir(lab), "state.json");
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return undefined;
      throw stateDirError(e, file, "read");
    }
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch (e) {
      throw new UnreadableRecordError(lab, file, `it is not JSON (${(e as Error).message})`);
    }
    if (!record || typeof record !== "object" || Array.isArray(record))
      throw new UnreadableRecordError(lab, file, `it is ${show(record)}, not a record`);
    const version = (record as { version?: unknown }).version;
    if (version !== STATE_VERSION && version !== 1)
      throw new UnreadableRecordError(
        lab,
        file,
        `it has no known format version (${show(version)})`,
      );
    if (version === 1) {
      // An older record: loaded only then, it needs the plan's modules.
      const { migrateRecord } = await import("./migrate.js");
      record = migrateRecord(record);
    }
    const problem = recordProblem(record, lab);
    if (problem) throw new UnreadableRecordError(lab, file, problem);
    return record as LabState;
  }

  /**
   * Writes the record atomically (temporary file, then rename).
   *
   * @throws {StateDirError} when the state directory cannot be written
   */
  async write(state: Omit<LabState, "version" | "updated">): Promise<LabState> {
    const full: LabState = { version: STATE_VERSION, ...state, updated: new Date().toISOString() };
    const dir = this.labDir(state.lab);
    const tmp = join(dir, `state.json.${process.pid}.tmp`);
    try {
      await makeDirs(dir);
      await writeFile(tmp, `${JSON.stringify(full, null, 2)}\n`);
      await rename(tmp, join(dir, "state.json"));
    } catch (e) {
      throw stateDirError(e, dir, "write");
    }
    return full;
  }

  /**
   * Forgets a lab (after `down`).
   *
   * @throws {StateDirError} when its folder cannot be removed
   */
  async remove(lab: string): Promise<void> {
    try {
      await rm(this.labDir(lab), { recursive: true, force: true });
    } catch (e) {
      throw stateDirError(e, this.labDir(lab), "write");
    }
  }

  /**
   * Forgets a lab whose `up` failed, keeping its logs (`*.log`: QEMU's
   * messages, consoles, the wire daemon's) for the user to read until
   * `down` removes them.
   *
   * @returns the logs kept, as paths
   * @throws {StateDirError} when its folder cannot be changed
   */
  async removeKeepingLogs(lab: string): Promise<string[]> {
    const dir = this.labDir(lab);
    const kept: string[] = [];
    try {
      const entries = await readdir(dir, { recursive: true, withFileTypes: true });
      for (const e of entries) {
        const path = join(e.parentPath ?? e.path, e.name);
        if (e.isDirectory()) continue;
        if (e.name.endsWith(".log") && (await stat(path)).size > 0) kept.push(path);
        else await rm(path, { force: true });
      }
      if (kept.length === 0) await rm(dir, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw stateDirError(e, dir, "write");
    }
    return kept.sort();
  }

  /** Logs a failed `up` left in a lab's folder (and nothing else: the lab has no record). */
  async leftLogs(lab: string): Promise<boolean> {
    return (
      (await exists(this.labDir(lab))) && !(await exists(join(this.labDir(lab), "state.json")))
    );
  }

  /** Names of every lab that has a folder, sorted. */
  async labs(): Promise<string[]> {
    try {
      return (await readdir(join(this.dir, "labs"))).sort();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return [];
      throw stateDirError(e, join(this.dir, "labs"), "read");
    }
  }

  /** Every lab's record, and the labs whose record cannot be used. */
  async scan(): Promise<StateScan> {
    const states: LabState[] = [];
    const unreadable: UnreadableRecordError[] = [];
    for (const lab of await this.labs()) {
      try {
        const s = await this.read(lab);
        if (s) states.push(s);
      } catch (e) {
        if (e instanceof UnreadableRecordError) unreadable.push(e);
        else throw e;
      }
    }
    return { states, unreadable };
  }

  /** Every known lab's readable record, sorted by name (see {@link scan} for the others). */
  async list(): Promise<LabState[]> {
    return [...(await this.scan()).states];
  }

  /**
   * Takes the lab's lock so two commands never change one lab at once: an
   * flock(2) held by a helper process (util-linux `flock`) until released,
   * or until this process dies (the kernel drops it then: nothing is ever
   * stale). The lock files stay, in `<stateDir>/locks/`.
   *
   * @returns a function that releases the lock
   * @throws {LabError} when another process holds it
   * @throws {StateDirError} when the state directory cannot be written
   */
  async lock(lab: string, start?: ProcessStarter): Promise<() => Promise<void>> {
    const dir = join(this.dir, "locks");
    const path = join(dir, `${lab}.lock`);
    try {
      // Made here, where a failure gets a clear message, not by flock.
      if (!(await exists(path))) {
        await makeDirs(dir);
        await writeFile(path, "", { flag: "a" });
      }
    } catch (e) {
      throw stateDirError(e, dir, "write");
    }
    return takeLock(path, lab, start);
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Why a parsed record is not one wirelab wrote for this lab, or undefined when it is. */
function recordProblem(r: unknown, lab: string): string | undefined {
  if (!r || typeof r !== "object" || Array.isArray(r)) return `it is ${show(r)}, not a record`;
  const s = r as Record<string, unknown>;
  const plan = s.plan as Record<string, unknown> | undefined;
  const checks: [boolean, string][] = [
    [s.lab === lab, `it names lab ${show(s.lab)}`],
    [typeof s.file === "string", `its topology file is ${show(s.file)}`],
    [
      ["creating", "up", "applying", "destroying"].includes(s.status as string),
      `its status is ${show(s.status)}`,
    ],
    [
      !!plan && typeof plan === "object" && Array.isArray(plan.nodes) && Array.isArray(plan.links),
      "it has no plan",
    ],
    [!!s.ports && typeof s.ports === "object", "it has no ports"],
    [
      Array.isArray(s.owned) &&
        s.owned.every((o) => !!o && typeof o === "object" && typeof o.provider === "string"),
      "it does not say what the lab owns",
    ],
  ];
  return checks.find(([ok]) => !ok)?.[1];
}

function show(v: unknown): string {
  return v === undefined ? "missing" : (JSON.stringify(v)?.slice(0, 40) ?? String(v));
}

/** A failed read or write of the state directory, in words. */
function stateDirError(e: unknown, path: string, what: "read" | "write"): Error {
  const err = e as NodeJS.ErrnoException;
  const why: Record<string, string> = {
    EROFS: "is on a read-only file system",
    EACCES: "is not writable by this user (run as root)",
    EPERM: "is not writable by this user (run as root)",
    ENOSPC: "is on a full file system",
    ENOENT: "cannot be created",
    ENOTDIR: "is not a folder",
  };
  const reason = err?.code ? why[err.code] : undefined;
  if (!reason) return err;
  return new StateDirError(
    `cannot ${what} ${path}: the state directory ${reason} (${err.code}); wirelab keeps its labs' records there: fix it, or set WIRELAB_STATE_DIR`,
  );
}
