/**
 * `up`: build a lab from its topology, idempotently.
 *
 * Behaviour with an existing lab of the same name:
 * - same file, same plan, everything present: nothing to do;
 * - same file, same plan, but an earlier `up` was interrupted or objects are
 *   missing: the lab is torn down and built again;
 * - same file, changed plan: refused, listing the differences (run `down` first);
 * - another file: refused (two labs must have different names).
 */
import { resolve } from "node:path";
import { LabError } from "../errors.js";
import { defaultRunner, type Runner } from "../exec.js";
import type { Reporter } from "../log.js";
import { diffPlans } from "../plan/diff.js";
import type { LabPlan } from "../plan/types.js";
import { listNamespaces } from "../providers/netns/kernel.js";
import { createNetnsLab, destroyNamespaces, planNamespaces } from "../providers/netns/provider.js";
import { loadAndPlan } from "./load-plan.js";
import { requireRoot, requireTools } from "./preflight.js";
import { StateStore } from "./state.js";

/** Options of {@link up}. */
export interface UpOptions {
  /** Runs `ip`, `sysctl`. @default defaultRunner */
  readonly run?: Runner;
  /** @default new StateStore() */
  readonly store?: StateStore;
  readonly reporter?: Reporter;
  /** Namespaces configured at once. @default 4 */
  readonly concurrency?: number;
  /**
   * Abort (e.g. on Ctrl-C): `up` stops after the commands in flight and
   * removes what it built.
   */
  readonly signal?: AbortSignal;
}

/** What {@link up} did. */
export interface UpResult {
  readonly lab: string;
  /** False when the lab was already up as planned. */
  readonly changed: boolean;
  readonly plan: LabPlan;
  /** Wall time in ms. */
  readonly durationMs: number;
}

/**
 * Brings a lab up from a topology file.
 *
 * @param file - topology file
 * @throws {TopologyError} when the file is invalid (nothing is touched)
 * @throws {PermissionError} without root (nothing is touched)
 * @throws {LabError} on a name collision or a changed topology
 * @throws {CommandError} when the kernel refuses a step; what was built is removed again
 * @throws {LabError} when `signal` aborts it; what was built is removed again
 */
export async function up(file: string, options: UpOptions = {}): Promise<UpResult> {
  const started = performance.now();
  const run = options.run ?? defaultRunner;
  const store = options.store ?? new StateStore();
  const { plan } = await loadAndPlan(file);
  requireRoot("up");
  requireTools(["ip", "sysctl"]);
  const path = resolve(file);
  const release = await store.lock(plan.lab);
  try {
    const existing = await store.read(plan.lab);
    const namespaces = planNamespaces(plan);
    if (existing) {
      if (existing.file !== path) {
        throw new LabError(
          `lab "${plan.lab}" is already up from ${existing.file}; give this topology another "name:" or run: wirelab down --lab ${plan.lab}`,
        );
      }
      const diff = diffPlans(existing.plan, plan);
      if (existing.status === "up" && diff.length > 0) {
        throw new LabError(
          `lab "${plan.lab}" is up from an older version of ${file}; it differs in:\n${diff.map((d) => `  ${d}`).join("\n")}\nrun "wirelab down ${file}" first, then "wirelab up ${file}"`,
        );
      }
      const present = await listNamespaces(run);
      const missing = existing.namespaces.filter((n) => !present.has(n));
      if (existing.status === "up" && missing.length === 0) {
        return { lab: plan.lab, changed: false, plan, durationMs: performance.now() - started };
      }
      options.reporter?.info?.(
        existing.status === "up"
          ? `lab "${plan.lab}" is missing ${missing.join(", ")}; rebuilding it`
          : `an earlier "${existing.status === "creating" ? "up" : "down"}" of lab "${plan.lab}" did not finish; rebuilding it`,
      );
      await store.write({ ...existing, status: "destroying" });
      await destroyNamespaces(existing.namespaces, { run });
    }
    await checkCollisions(run, store, plan.lab, namespaces);
    await store.write({ lab: plan.lab, file: path, status: "creating", plan, namespaces });
    try {
      await createNetnsLab(plan, {
        run,
        ...(options.reporter ? { reporter: options.reporter } : {}),
        ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (e) {
      await destroyNamespaces(namespaces, { run }).catch(() => undefined);
      await store.remove(plan.lab);
      if (options.signal?.aborted)
        throw new LabError(`up of lab "${plan.lab}" was interrupted; removed what it had built`);
      throw e;
    }
    await store.write({ lab: plan.lab, file: path, status: "up", plan, namespaces });
    return { lab: plan.lab, changed: true, plan, durationMs: performance.now() - started };
  } finally {
    await release();
  }
}

/** Refuses to start when a namespace the lab needs already exists: it is not ours. */
async function checkCollisions(
  run: Runner,
  store: StateStore,
  lab: string,
  namespaces: readonly string[],
): Promise<void> {
  const present = await listNamespaces(run);
  const taken = namespaces.filter((n) => present.has(n));
  if (taken.length === 0) return;
  const owners = new Map<string, string>();
  for (const other of await store.list()) {
    if (other.lab === lab) continue;
    for (const n of other.namespaces) owners.set(n, other.lab);
  }
  const list = taken.map((n) =>
    owners.has(n) ? `${n} (lab "${owners.get(n)}")` : `${n} (not created by this lab)`,
  );
  const shown = list.length > 5 ? [...list.slice(0, 5), `and ${list.length - 5} more`] : list;
  throw new LabError(
    `lab "${lab}" needs namespaces that already exist: ${shown.join(", ")}; wirelab never touches objects it did not create: rename the lab ("name:") or its nodes, or remove them`,
  );
}
