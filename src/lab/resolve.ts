/**
 * Finding the lab a command is about: by `--lab NAME`, by topology file, or
 * the only lab that is up.
 */
import { readFile } from "node:fs/promises";
import { LabError } from "../errors.js";
import { labNameOfText } from "../topology/name.js";
import { suggest } from "../topology/suggest.js";
import type { LabState, StateStore } from "./state.js";

/** How a command names its lab. */
export interface LabTarget {
  /** Lab name (`--lab`). */
  readonly lab?: string;
  /** Topology file the lab was built from. */
  readonly file?: string;
}

/**
 * The lab name a topology file gives: its `name:`, else the file's stem.
 * Reads only `name`, so a file with other errors still names its lab.
 */
export async function labNameOfFile(file: string): Promise<string> {
  return labNameOfText(await readFile(file, "utf8"), file);
}

/**
 * Resolves the lab a command targets.
 *
 * @returns the lab's name and its state (undefined when it is not up)
 * @throws {LabError} when no lab is named and not exactly one lab is up
 */
export async function resolveLab(
  store: StateStore,
  target: LabTarget,
): Promise<{ lab: string; state?: LabState }> {
  if (target.lab !== undefined || target.file !== undefined) {
    const lab = target.lab ?? (await labNameOfFile(target.file as string));
    const state = await store.read(lab);
    return state ? { lab, state } : { lab };
  }
  const labs = await store.list();
  if (labs.length === 1 && labs[0]) return { lab: labs[0].lab, state: labs[0] };
  if (labs.length === 0) throw new LabError("no lab is up; start one with: wirelab up FILE");
  throw new LabError(
    `${labs.length} labs are up (${labs.map((l) => l.lab).join(", ")}); name one with --lab NAME`,
  );
}

/**
 * The state of a lab that must be up.
 *
 * @throws {LabError} when it is not, suggesting a close name
 */
export async function requireLab(store: StateStore, target: LabTarget): Promise<LabState> {
  const { lab, state } = await resolveLab(store, target);
  if (state) return state;
  const known = (await store.list()).map((l) => l.lab);
  const hint = suggest(lab, known);
  throw new LabError(
    `lab "${lab}" is not up${hint ? ` (did you mean "${hint}"?)` : ""}${known.length ? `; labs up: ${known.join(", ")}` : ""}`,
  );
}
