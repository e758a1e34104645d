/**
 * Refusing to build over objects the lab does not own: a namespace or a host
 * device (tap, vEth end) with a name the lab needs.
 */
import { LabError } from "../errors.js";
import type { Runner } from "../exec.js";
import { listHostLinks, listNamespaces } from "../providers/netns/kernel.js";
import type { StateStore } from "./state.js";

/**
 * @throws {LabError} naming each object and its owner (another lab, or nobody known)
 */
export async function checkCollisions(
  run: Runner,
  store: StateStore,
  lab: string,
  wanted: { readonly namespaces: readonly string[]; readonly hostDevices: readonly string[] },
): Promise<void> {
  const namespaces = await listNamespaces(run);
  const devices = wanted.hostDevices.length > 0 ? await listHostLinks(run) : new Set<string>();
  const taken = [
    ...wanted.namespaces.filter((n) => namespaces.has(n)),
    ...wanted.hostDevices.filter((d) => devices.has(d)),
  ];
  if (taken.length === 0) return;
  const owners = new Map<string, string>();
  for (const other of await store.list()) {
    if (other.lab === lab) continue;
    for (const n of [...other.namespaces, ...(other.hostDevices ?? [])]) owners.set(n, other.lab);
  }
  const list = taken.map((n) =>
    owners.has(n) ? `${n} (lab "${owners.get(n)}")` : `${n} (not created by this lab)`,
  );
  const shown = list.length > 5 ? [...list.slice(0, 5), `and ${list.length - 5} more`] : list;
  throw new LabError(
    `lab "${lab}" needs names that are already taken: ${shown.join(", ")}; wirelab never touches objects it did not create: rename the lab ("name:") or its nodes, or remove them`,
  );
}
