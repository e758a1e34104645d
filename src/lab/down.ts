/**
 * `down`: remove everything a lab created, from its record alone: the
 * rollback stack of `up`, undone last entry first.
 */
import type { Reporter } from "../log.js";
import { allProviders } from "../providers/index.js";
import { labLayout } from "../providers/layout.js";
import type { Removed } from "../providers/provider.js";
import { type LabDeps, resolveDeps } from "./deps.js";
import { type LabTarget, resolveLab } from "./resolve.js";
import { unwind } from "./rollback.js";

/** Options of {@link down}. */
export interface DownOptions extends LabDeps {
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
  /** Everything removed, by kind of object (`namespace`, `VM`, `host device`, `wire daemon`). */
  readonly objects: Removed;
  readonly durationMs: number;
}

/**
 * Tears a lab down. Works on a half-built lab too, and does nothing (and
 * succeeds) when the lab is not up.
 *
 * @param target - `{ file }` or `{ lab }`
 * @throws {PermissionError} without root
 * @throws {UnwindError} when something could not be removed (the record is kept, so `down` can be retried)
 */
export async function down(target: LabTarget, options: DownOptions = {}): Promise<DownResult> {
  const started = performance.now();
  const deps = resolveDeps(options);
  const { store } = deps;
  deps.preflight.requireRoot("down");
  const { lab, state } = await resolveLab(store, target);
  if (!state)
    return {
      lab,
      changed: false,
      removed: [],
      objects: {},
      durationMs: performance.now() - started,
    };
  const release = await store.lock(lab);
  try {
    await store.write({ ...state, status: "destroying" });
    const step = "removing the lab";
    options.reporter?.progress?.({ step, done: 0, total: 1 });
    const objects = await unwind(state.owned, allProviders(deps), {
      lab,
      run: deps.run,
      layout: labLayout(store.labDir(lab)),
    });
    options.reporter?.progress?.({ step, done: 1, total: 1 });
    await store.remove(lab);
    return {
      lab,
      changed: true,
      removed: objects.namespace ?? [],
      vms: objects.VM ?? [],
      hostDevices: objects["host device"] ?? [],
      objects,
      durationMs: performance.now() - started,
    };
  } finally {
    await release();
  }
}
