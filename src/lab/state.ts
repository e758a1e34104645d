/**
 * The record of what a lab has created, kept on disk so that `down` can undo
 * it after anything: a finished `up`, an `up` killed halfway, a crash.
 *
 * Layout: `<stateDir>/labs/<lab>/state.json` (see {@link defaultStateDir}
 * and docs/design.md, "State"). Each write goes to a temporary file renamed
 * over the old one, so a reader never sees half a record.
 */
import { mkdir, open, readdir, readFile, rename, rm, rmdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { LabError } from "../errors.js";
import type { LabPorts } from "../plan/ports.js";
import type { LabPlan } from "../plan/types.js";
import { isAlive } from "../process.js";
import type { Owned } from "../providers/provider.js";

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
  /** `creating` until `up` finished; `up` after; `destroying` while `down` runs. */
  readonly status: "creating" | "up" | "destroying";
  readonly plan: LabPlan;
  /** Ports it holds on 127.0.0.1. */
  readonly ports: LabPorts;
  /**
   * The rollback stack: what each provider owns, in the order their steps
   * ran, each entry written before its provider's first step; `down` (and a
   * failed `up`) undoes them from the last.
   */
  readonly owned: readonly OwnedSlice[];
  /** ISO 8601 time of the last change. */
  readonly updated: string;
}

/** Reads and writes lab records under one state directory. */
export class StateStore {
  /** @param dir - state directory @default defaultStateDir() */
  constructor(readonly dir: string = defaultStateDir()) {}

  /** Directory of one lab (its pidfiles and logs go here too). */
  labDir(lab: string): string {
    return join(this.dir, "labs", lab);
  }

  /** The lab's record (an older version's made current), or undefined when the lab is not known. */
  async read(lab: string): Promise<LabState | undefined> {
    try {
      const text = await readFile(join(this.labDir(lab), "state.json"), "utf8");
      const record = JSON.parse(text) as { version?: unknown };
      if (record?.version === STATE_VERSION) return record as LabState;
      // An older record: loaded only then, it needs the plan's modules.
      const { migrateRecord } = await import("./migrate.js");
      return migrateRecord(record) as LabState;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
  }

  /** Writes the record atomically (temporary file, then rename). */
  async write(state: Omit<LabState, "version" | "updated">): Promise<LabState> {
    const full: LabState = { version: STATE_VERSION, ...state, updated: new Date().toISOString() };
    const dir = this.labDir(state.lab);
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `state.json.${process.pid}.tmp`);
    await writeFile(tmp, `${JSON.stringify(full, null, 2)}\n`);
    await rename(tmp, join(dir, "state.json"));
    return full;
  }

  /** Forgets a lab (after `down`). */
  async remove(lab: string): Promise<void> {
    await rm(this.labDir(lab), { recursive: true, force: true });
  }

  /** Every known lab's record, sorted by name. */
  async list(): Promise<LabState[]> {
    let names: string[];
    try {
      names = await readdir(join(this.dir, "labs"));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw e;
    }
    const states = await Promise.all(names.sort().map((n) => this.read(n)));
    return states.filter((s): s is LabState => s !== undefined);
  }

  /**
   * Takes the lab's lock so two commands never change one lab at once. A
   * lock left by a process that is gone is taken over.
   *
   * @returns a function that releases the lock
   * @throws {LabError} when another live process holds it
   */
  async lock(lab: string): Promise<() => Promise<void>> {
    const dir = this.labDir(lab);
    await mkdir(dir, { recursive: true });
    const path = join(dir, "lock");
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fh = await open(path, "wx");
        await fh.writeFile(String(process.pid));
        await fh.close();
        return async () => {
          await rm(path, { force: true });
          // A lab that never got a record (e.g. a refused `up`) leaves no directory behind.
          await rmdir(dir).catch(() => undefined);
        };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        const holder = Number.parseInt(await readFile(path, "utf8").catch(() => ""), 10);
        if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
          throw new LabError(
            `lab "${lab}" is busy: process ${holder} is changing it; wait for it to finish`,
          );
        }
        await rm(path, { force: true });
      }
    }
    throw new LabError(`could not lock lab "${lab}" (${path})`);
  }
}
