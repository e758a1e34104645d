/**
 * `up`: build a lab from its topology, idempotently, as one loop over the
 * providers (docs/design.md, "Providers").
 *
 * Behaviour with an existing lab of the same name:
 * - same file, same plan, everything present: nothing to do;
 * - same file, same plan, a daemon or VM died: each provider starts again
 *   what it can (nothing else is touched);
 * - same file, same plan, but an earlier `up` was interrupted or objects are
 *   missing: the lab is torn down and built again;
 * - same file, changed plan: the changes are applied in place (`apply.ts`);
 *   with `apply: false`, refused, listing them (run `down` first);
 * - an apply that did not finish: finished first, then the file's changes;
 * - another file: refused (two labs must have different names).
 */
import { resolve } from "node:path";
import { formatDiagnostic, LabError, UsageError } from "../errors.js";
import type { Reporter } from "../log.js";
import { describeChanges, planChanges } from "../plan/changes.js";
import { diffPlans } from "../plan/diff.js";
import { loadAndPlan } from "../plan/load-plan.js";
import { allPorts, type LabPorts } from "../plan/ports.js";
import { portRequests } from "../plan/transports/index.js";
import type { LabPlan } from "../plan/types.js";
import { ExecLineError } from "../providers/exec/provider.js";
import { allProviders } from "../providers/index.js";
import { labLayout } from "../providers/layout.js";
import { PHASES, type Provider, type ProviderContext } from "../providers/provider.js";
import { locate } from "../topology/source.js";
import { applyPlan } from "./apply.js";
import { type LabDeps, type ResolvedDeps, resolveDeps } from "./deps.js";
import { RollbackStack, UnwindError, unwind } from "./rollback.js";
import { spliceTouched, unspliceWhere } from "./splice.js";
import type { LabState } from "./state.js";
import { startStopped } from "./stop.js";

/** Namespaces configured at once unless told otherwise. */
export const DEFAULT_CONCURRENCY = 4;

/** Options of {@link up}. */
export interface UpOptions extends LabDeps {
  readonly reporter?: Reporter;
  /** Nodes configured at once. @default DEFAULT_CONCURRENCY */
  readonly concurrency?: number;
  /**
   * Abort (e.g. on Ctrl-C): `up` stops after the steps in flight and
   * removes what it built.
   */
  readonly signal?: AbortSignal;
  /** Device of nodes that name none (netlab's `-d`), over the file's `defaults.device` and `NETLAB_DEVICE`. */
  readonly device?: string;
  /**
   * Apply the changes of an edited topology to the running lab in place
   * (false: refuse, as `--no-apply`). @default true
   */
  readonly apply?: boolean;
  /** Only say what would change (`changes` of the result); nothing is touched. */
  readonly dryRun?: boolean;
}

/** What {@link up} did. */
export interface UpResult {
  readonly lab: string;
  /** False when the lab was already up as planned. */
  readonly changed: boolean;
  /** What was (or, with `dryRun`, would be) changed in a running lab, in words; empty for a new lab. */
  readonly changes: readonly string[];
  readonly plan: LabPlan;
  /** Wall time in ms. */
  readonly durationMs: number;
}

/**
 * Brings a lab up from a topology file.
 *
 * @param file - topology file
 * @throws {UsageError} when `concurrency` is not a whole number of at least 1 (nothing is touched)
 * @throws {TopologyError} when the file is invalid (nothing is touched)
 * @throws {PermissionError} without root (nothing is touched)
 * @throws {LabError} on a name collision or a changed topology
 * @throws {CommandError} when the kernel refuses a step; what was built is removed again
 * @throws {LabError} when `signal` aborts it; what was built is removed again
 * @throws {UnwindError} when removing what a failed `up` built failed too (the record is kept for `down`)
 */
export async function up(file: string, options: UpOptions = {}): Promise<UpResult> {
  const started = performance.now();
  const { concurrency } = options;
  if (concurrency !== undefined && !(Number.isSafeInteger(concurrency) && concurrency >= 1))
    throw new UsageError(`concurrency must be a whole number of at least 1, not ${concurrency}`);
  const deps = resolveDeps(options);
  const { store } = deps;
  const path = resolve(file);
  const planFile = async (previous?: LabPlan) =>
    loadAndPlan(file, {
      ...(options.device !== undefined ? { device: options.device } : {}),
      ...(previous ? { previous } : {}),
    });
  let loaded = await planFile();
  deps.preflight.requireRoot("up");
  // A running lab's kept interfaces, taps and vEth host ends keep their names and MACs.
  let spliced: LabState["spliced"];
  const running = async (): Promise<LabPlan | undefined> => {
    const r = await store.read(loaded.plan.lab).catch(() => undefined);
    spliced = r && r.file === path ? r.spliced : undefined;
    return r && r.file === path ? (r.target ?? r.plan) : undefined;
  };
  const previous = await running();
  if (previous) loaded = await planFile(previous);
  const { plan, source, notes } = loaded;
  for (const note of notes) options.reporter?.info?.(note);
  // One set of providers: what their preflight gathered is keyed by them.
  const every = allProviders(deps);
  const providers = every.filter((p) => p.uses(plan, spliced));
  deps.preflight.requireTools([...new Set(providers.flatMap((p) => p.tools(plan)))]);
  const prepared = new Map<Provider, unknown>();
  for (const p of providers) prepared.set(p, await p.preflight(plan));
  const done = (changed: boolean, changes: readonly string[] = []): UpResult => ({
    lab: plan.lab,
    changed,
    changes,
    plan,
    durationMs: performance.now() - started,
  });
  const context = (ports: LabPorts): ProviderContext => ({
    plan,
    run: deps.run,
    start: deps.start,
    layout: labLayout(store.labDir(plan.lab)),
    ports,
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    ...(spliced?.length ? { spliced } : {}),
    ...(options.reporter ? { reporter: options.reporter } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const release = await store.lock(plan.lab);
  try {
    let existing = await store.read(plan.lab);
    if (existing) {
      if (existing.file !== path) {
        throw new LabError(
          `lab "${plan.lab}" is already up from ${existing.file}; give this topology another "name:" or run: wirelab down --lab ${plan.lab}`,
        );
      }
      if (JSON.stringify(await running()) !== JSON.stringify(previous))
        throw new LabError(`lab "${plan.lab}" changed while this up started; run it again`);
      // A whole-lab up starts stopped nodes again, before anything else is checked or changed.
      if (!options.dryRun && existing.status === "up" && existing.stopped?.length)
        existing = await startStopped(deps, existing, existing.stopped, {
          ...(options.reporter ? { reporter: options.reporter } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        });
      const diff = diffPlans(existing.plan, plan);
      const live = existing.status === "up" || existing.status === "applying";
      if (live && (existing.status === "applying" || diff.length > 0)) {
        if (options.apply === false && existing.status === "up")
          throw new LabError(
            `lab "${plan.lab}" is up from an older version of ${file}; it differs in:\n${diff.map((d) => `  ${d}`).join("\n")}\nrun "wirelab down ${file}" first, then "wirelab up ${file}"`,
          );
        const lines = [
          ...(existing.status === "applying"
            ? [`! an earlier change of lab ${plan.lab} did not finish: up finishes it first`]
            : []),
          ...describeChanges(planChanges(existing.target ?? existing.plan, plan)),
        ];
        if (options.dryRun) return done(false, lines);
        const apply = (state: LabState, target: LabPlan) =>
          applyPlan({
            state,
            target,
            providers: every,
            prepared,
            deps,
            context: (ports) => ({ ...context(ports), plan: target }),
          });
        // Splices of links the change touches go back onto their own wires first.
        const running = existing;
        const moved = await unspliceWhere(deps, running, (s) =>
          spliceTouched(s, running.plan, plan),
        );
        for (const name of moved.moved)
          options.reporter?.info?.(
            `${name}: moved back onto its own wire (the change touches it); its live impairments are dropped`,
          );
        spliced = moved.state.spliced;
        let state = moved.state;
        if (existing.status === "applying" && existing.target) {
          options.reporter?.info?.(`finishing the change of lab "${plan.lab}" an earlier up began`);
          await apply(existing, existing.target);
          state = (await store.read(plan.lab)) as LabState;
        }
        if (diffPlans(state.plan, plan).length > 0) await apply(state, plan);
        return done(true, lines);
      }
      if (options.dryRun) return done(false);
      if (existing.status === "up") {
        const repaired = await repair(providers, prepared, context(existing.ports), options);
        if (repaired !== undefined) return done(repaired);
      } else {
        options.reporter?.info?.(
          `an earlier "${existing.status === "creating" ? "up" : "down"}" of lab "${plan.lab}" did not finish; rebuilding it`,
        );
      }
      await store.write({ ...existing, status: "destroying" });
      await unwind(existing.owned, allProviders(deps), teardownContext(deps, plan.lab));
    }
    if (options.dryRun)
      return done(false, [
        `+ lab ${plan.lab} (${plan.nodes.length} nodes, ${plan.links.length} links)`,
      ]);
    return done(await build(plan, path, providers, prepared, deps, context));
  } catch (e) {
    // A node's exec line is a line of the file: said at its place.
    if (e instanceof ExecLineError)
      throw new LabError(
        formatDiagnostic(locate(source, { code: "bad-value", message: e.message, path: e.path })),
      );
    throw e;
  } finally {
    await release();
  }
}

/**
 * Asks each provider to start again what died, in order.
 *
 * @returns whether anything was started, or undefined when the lab must be rebuilt
 */
async function repair(
  providers: readonly Provider[],
  prepared: ReadonlyMap<Provider, unknown>,
  ctx: ProviderContext,
  options: UpOptions,
): Promise<boolean | undefined> {
  let changed = false;
  for (const p of providers) {
    const r = await p.repair?.(ctx, prepared.get(p));
    if (!r) continue;
    if ("rebuild" in r) {
      options.reporter?.info?.(`lab "${ctx.plan.lab}" is ${r.rebuild}; rebuilding it`);
      return undefined;
    }
    changed ||= r.repaired.length > 0;
  }
  return changed;
}

/**
 * Builds the lab from nothing: names reserved, ports allocated, then every
 * provider's steps, phase by phase, each provider's undo pushed before its
 * first step. On any failure the stack is unwound.
 */
async function build(
  plan: LabPlan,
  path: string,
  providers: readonly Provider[],
  prepared: ReadonlyMap<Provider, unknown>,
  deps: ResolvedDeps,
  context: (ports: LabPorts) => ProviderContext,
): Promise<boolean> {
  const { store } = deps;
  const others = (await store.list()).filter((s) => s.lab !== plan.lab);
  const bare = context({ udp: {}, tcp: {} });
  for (const p of providers) await p.reserve?.(bare, others);
  const ports = await deps.allocatePorts(
    plan.lab,
    portRequests(plan),
    new Set(others.flatMap((s) => allPorts(s.ports))),
  );
  const ctx = context(ports);
  const record: Omit<LabState, "version" | "updated"> = {
    lab: plan.lab,
    file: path,
    status: "creating",
    plan,
    ports,
    owned: [],
  };
  await store.write(record);
  const stack = new RollbackStack(store, record);
  try {
    for (const phase of PHASES) {
      for (const p of providers) {
        const step = p[phase];
        if (!step) continue;
        await stack.push(p);
        await step.call(p, ctx, prepared.get(p));
      }
    }
  } catch (e) {
    try {
      await unwind(stack.state.owned, providers, teardownContext(deps, plan.lab));
    } catch (undo) {
      // The record stays, so that `down` can find what is left.
      await store.write({ ...stack.state, status: "destroying" });
      throw new UnwindError([e as Error, ...(undo as UnwindError).errors]);
    }
    const logs = await store.removeKeepingLogs(plan.lab);
    if (logs.length)
      ctx.reporter?.info?.(
        `the logs of this up are kept until "wirelab down --lab ${plan.lab}": ${logs.join(", ")}`,
      );
    if (ctx.signal?.aborted)
      throw new LabError(`up of lab "${plan.lab}" was interrupted; removed what it had built`);
    throw e;
  }
  await store.write({ ...stack.state, status: "up" });
  return true;
}

function teardownContext(deps: ResolvedDeps, lab: string) {
  return { lab, run: deps.run, layout: labLayout(deps.store.labDir(lab)) };
}
