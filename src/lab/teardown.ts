/**
 * Removing everything a lab's record says it owns: VMs first (they hold the
 * taps), the wire daemon, then host devices, then namespaces. Whatever is already gone is
 * skipped, so a teardown can always be run again.
 */
import type { Runner } from "../exec.js";
import { destroyHostDevices, destroyNamespaces } from "../providers/netns/provider.js";
import { stopVms } from "../providers/qemu/provider.js";
import { stopWire, wireFiles } from "../providers/wire/provider.js";
import { vmFiles } from "./access.js";
import type { LabState, StateStore } from "./state.js";

/** What {@link teardown} removed. */
export interface TeardownResult {
  readonly vms: readonly string[];
  readonly hostDevices: readonly string[];
  readonly namespaces: readonly string[];
}

/**
 * @param state - the lab's record (only what it lists is touched)
 * @throws {CommandError} when a namespace cannot be deleted
 */
export async function teardown(
  state: Pick<LabState, "lab" | "namespaces" | "hostDevices" | "vms">,
  store: StateStore,
  run: Runner,
): Promise<TeardownResult> {
  const vms = await stopVms(state.lab, state.vms ?? [], (n) => vmFiles(store, state.lab, n));
  await stopWire(wireFiles(store.labDir(state.lab)));
  const hostDevices = await destroyHostDevices(state.hostDevices ?? [], { run });
  const namespaces = await destroyNamespaces(state.namespaces, { run });
  return { vms, hostDevices, namespaces };
}
