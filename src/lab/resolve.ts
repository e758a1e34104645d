/**
 * Finding the lab a command is about: by `--lab NAME`, by topology file, or
 * the only lab that is up.
 */
import { LabError, UsageError } from "../errors.js";
import { labNameOfText } from "../topology/name.js";
import { readTopologyText } from "../topology/read.js";
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
  return labNameOfText(await readTopologyText(file), file);
}

/**
 * Resolves the lab a command targets.
 *
 * @returns the lab's name and its state (undefined when it is not up)
 * @throws {UsageError} when a file and a lab name are both given and the file is another lab's
 * @throws {LabError} when no lab is named and not exactly one lab is up
 * @throws {UnreadableRecordError} when the lab's record cannot be used (or, when no lab is named, the only lab's)
 */
export async function resolveLab(
  store: StateStore,
  target: LabTarget,
): Promise<{ lab: string; state?: LabState }> {
  if (target.lab !== undefined || target.file !== undefined) {
    const lab = await targetName(target);
    const state = await store.read(lab);
    return state ? { lab, state } : { lab };
  }
  const { states, unreadable } = await store.scan();
  const only = states[0];
  if (states.length === 1 && only && unreadable.length === 0) return { lab: only.lab, state: only };
  const names = [...states.map((l) => l.lab), ...unreadable.map((u) => u.lab)].sort();
  if (names.length === 0) throw new LabError("no lab is up; start one with: wirelab up FILE");
  if (names.length === 1 && unreadable[0]) throw unreadable[0];
  throw new LabError(`${names.length} labs are up (${names.join(", ")}); name one with --lab NAME`);
}

/**
 * The lab a file and/or `--lab` name.
 *
 * @throws {UsageError} when both are given and the file is another lab's
 */
async function targetName(target: LabTarget): Promise<string> {
  if (target.file === undefined) return target.lab as string;
  const fromFile = await labNameOfFile(target.file);
  if (target.lab !== undefined && target.lab !== fromFile)
    throw new UsageError(
      `${target.file} is the topology of lab "${fromFile}", not "${target.lab}": give the file or --lab, not both`,
    );
  return fromFile;
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
