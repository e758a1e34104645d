/**
 * `down`: remove everything a lab created, from its record: the rollback
 * stack of `up`, undone last entry first. When the record is there but
 * cannot be used, each provider finds what it can of the lab's by name (its
 * namespaces and host devices, the QEMUs whose pidfile is in the lab's
 * folder, its wire daemon) and that is removed instead. Without a record
 * nothing is touched: a namespace of the lab's names may be someone else's.
 */
import type { Reporter } from "../log.js";
import { allProviders } from "../providers/index.js";
import { labLayout } from "../providers/layout.js";
import type { OtherLab, Provider, Removed, TeardownContext } from "../providers/provider.js";
import { type LabDeps, resolveDeps } from "./deps.js";
import { type LabTarget, resolveLab } from "./resolve.js";
import { unwind } from "./rollback.js";
import { removeSpliceHelpers } from "./splice.js";
import { type LabState, type OwnedSlice, type StateStore, UnreadableRecordError } from "./state.js";

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
  /** The folder of logs a failed `up` had left, removed (the lab was not up). */
  readonly logsRemoved?: string;
  /**
   * Set when the lab's record could not be used (or was gone) and what was
   * removed was found by name: why.
   */
  readonly foundByName?: string;
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
  let resolved: { lab: string; state?: LabState };
  let unreadable: UnreadableRecordError | undefined;
  try {
    resolved = await resolveLab(store, target);
  } catch (e) {
    if (!(e instanceof UnreadableRecordError)) throw e;
    unreadable = e;
    resolved = { lab: e.lab };
  }
  const { lab } = resolved;
  const release = await store.lock(lab);
  try {
    // Read again under the lock: another command may have changed it.
    let state: LabState | undefined;
    try {
      state = unreadable ? undefined : await store.read(lab);
    } catch (e) {
      if (!(e instanceof UnreadableRecordError)) throw e;
      unreadable = e;
    }
    const layout = labLayout(store.labDir(lab));
    const ctx = { lab, run: deps.run, layout };
    const providers = allProviders(deps);
    let owned: readonly OwnedSlice[];
    let foundByName: string | undefined;
    if (state) {
      await store.write({ ...state, status: "destroying" });
      owned = state.owned;
    } else if (unreadable) {
      // The record is there, so the lab was: what bears its names is its.
      owned = await findByName(store, lab, providers, ctx);
      foundByName = unreadable.why;
      options.reporter?.info?.(
        `the record of lab "${lab}" cannot be used (${unreadable.why}); removing what was found by its name${owned.length ? "" : " (nothing)"}`,
      );
    } else {
      // No record: nothing is known to be the lab's (a namespace of its names may be someone else's).
      // Only the logs of a failed up may be left.
      const logs = await store.leftLogs(lab);
      if (logs) await store.remove(lab);
      return {
        ...(logs ? { logsRemoved: store.labDir(lab) } : {}),
        lab,
        changed: false,
        removed: [],
        objects: {},
        durationMs: performance.now() - started,
      };
    }
    const step = "removing the lab";
    options.reporter?.progress?.({ step, done: 0, total: 1 });
    // Helper vEths of splices go with their namespaces, but only once the kernel gets to it.
    if (state?.spliced) await removeSpliceHelpers(deps, state.spliced);
    const objects = await unwind(owned, providers, ctx);
    options.reporter?.progress?.({ step, done: 1, total: 1 });
    await store.remove(lab);
    return {
      lab,
      changed: true,
      removed: objects.namespace ?? [],
      vms: objects.VM ?? [],
      hostDevices: objects["host device"] ?? [],
      objects,
      ...(foundByName ? { foundByName } : {}),
      durationMs: performance.now() - started,
    };
  } finally {
    await release();
  }
}

/**
 * What each provider finds of a lab's on the host by name, as a rollback
 * stack in build order. Other labs' objects are left alone: every lab with a
 * folder is passed on, with what its record says it owns when it can be read.
 */
async function findByName(
  store: StateStore,
  lab: string,
  providers: readonly Provider[],
  ctx: TeardownContext,
): Promise<OwnedSlice[]> {
  const { states } = await store.scan();
  const others: OtherLab[] = (await store.labs())
    .filter((l) => l !== lab)
    .map((l) => states.find((s) => s.lab === l) ?? { lab: l, owned: [] });
  const owned: OwnedSlice[] = [];
  for (const p of providers) {
    const found = await p.findOwned?.(ctx, others);
    if (found) owned.push({ provider: p.name, owned: found });
  }
  return owned;
}
