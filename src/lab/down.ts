/**
 * `down`: remove everything a lab created, from its state record alone.
 */
import { defaultRunner, type Runner } from "../exec.js";
import type { Reporter } from "../log.js";
import { requireRoot } from "./preflight.js";
import { type LabTarget, resolveLab } from "./resolve.js";
import { StateStore } from "./state.js";
import { teardown } from "./teardown.js";

/** Options of {@link down}. */
export interface DownOptions {
  /** @default defaultRunner */
  readonly run?: Runner;
  /** @default new StateStore() */
  readonly store?: StateStore;
  readonly reporter?: Reporter;
}

/** What {@link down} did. */
export interface DownResult {
  readonly lab: string;
  /** False when the lab was not up. */
  readonly changed: boolean;
  /** Namespaces deleted. */
  readonly removed: readonly string[];
  /** VM nodes whose QEMU was stopped. */
  readonly vms?: readonly string[];
  /** Host devices (taps, vEth ends) deleted. */
  readonly hostDevices?: readonly string[];
  readonly durationMs: number;
}

/**
 * Tears a lab down. Works on a half-built lab too, and does nothing (and
 * succeeds) when the lab is not up.
 *
 * @param target - `{ file }` or `{ lab }`
 * @throws {PermissionError} without root
 * @throws {CommandError} when a namespace cannot be deleted (the record is kept, so `down` can be retried)
 */
export async function down(target: LabTarget, options: DownOptions = {}): Promise<DownResult> {
  const started = performance.now();
  const run = options.run ?? defaultRunner;
  const store = options.store ?? new StateStore();
  requireRoot("down");
  const { lab, state } = await resolveLab(store, target);
  if (!state) return { lab, changed: false, removed: [], durationMs: performance.now() - started };
  const release = await store.lock(lab);
  try {
    await store.write({ ...state, status: "destroying" });
    options.reporter?.progress?.({
      step: "removing namespaces",
      done: 0,
      total: state.namespaces.length,
    });
    const t = await teardown(state, store, run);
    const removed = t.namespaces;
    options.reporter?.progress?.({
      step: "removing namespaces",
      done: state.namespaces.length,
      total: state.namespaces.length,
    });
    await store.remove(lab);
    return {
      lab,
      changed: true,
      removed,
      vms: t.vms,
      hostDevices: t.hostDevices,
      durationMs: performance.now() - started,
    };
  } finally {
    await release();
  }
}
