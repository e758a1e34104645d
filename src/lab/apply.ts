/**
 * Applying an edited topology to a running lab (`up` of a changed file;
 * docs/design.md, "Apply"). Each provider compares its own objects in the
 * plan the lab runs and the plan it is to run: first every provider, last
 * first, removes what is gone or rebuilt (`retire`), then every provider,
 * in order, creates what is new and changes in place what changed
 * (`apply`). Nothing that did not change is touched.
 *
 * The record says `applying`, with the plan the lab is to run (`target`)
 * and, on the rollback stack, what both plans own, before the first step:
 * an interrupted apply is finished by the next `up` (every step skips what
 * is done) or removed whole by `down`.
 */
import { LabError } from "../errors.js";
import { type LabChanges, planChanges, rebuiltNodes } from "../plan/changes.js";
import { allPorts, type LabPorts, type PortRequest } from "../plan/ports.js";
import { portRequests } from "../plan/transports/index.js";
import type { LabPlan } from "../plan/types.js";
import { hostDevices, planNamespaces } from "../providers/iproute2.js";
import { labLayout } from "../providers/layout.js";
import { listHostLinks, listNamespaces } from "../providers/netns/kernel.js";
import {
  type ApplyContext,
  PHASES,
  type Provider,
  type ProviderContext,
} from "../providers/provider.js";
import { splicePortRequests } from "../providers/wire/splice.js";
import type { ResolvedDeps } from "./deps.js";
import type { LabState, OwnedSlice } from "./state.js";

/** What {@link applyPlan} needs of `up`. */
export interface ApplyInput {
  /** The lab's record (`up`, or `applying` from an interrupted apply). */
  readonly state: LabState;
  /** The plan the lab is to run. */
  readonly target: LabPlan;
  /** Every provider, in registry order. */
  readonly providers: readonly Provider[];
  /** What each provider the target uses gathered in its preflight. */
  readonly prepared: ReadonlyMap<Provider, unknown>;
  readonly deps: ResolvedDeps;
  /** The hooks' context for the target plan with these ports. */
  readonly context: (ports: LabPorts) => ProviderContext;
}

/**
 * Applies `target` to the running lab and records it.
 *
 * @returns the changes applied (empty when the plans are equal)
 * @throws {LabError} when a name the new plan needs is held by something that is not the lab's
 * @throws {LabError} when a step fails: the record stays `applying`, so `up` finishes it and `down` removes it
 */
export async function applyPlan(input: ApplyInput): Promise<LabChanges> {
  const { state, target, providers, prepared, deps } = input;
  const { store } = deps;
  const before = state.plan;
  const changes = planChanges(before, target);
  if (state.status === "up") await checkNewNames(deps, before, target);
  const others = (await store.list()).filter((s) => s.lab !== state.lab);
  const ports = await allocateNew(deps, state, portRequests(target), others);
  const spliced = state.spliced;
  const owns = (p: Provider, plan: LabPlan): OwnedSlice[] =>
    p.uses(plan, spliced) ? [{ provider: p.name, owned: p.owns(plan) }] : [];
  const record: Omit<LabState, "version" | "updated"> = {
    ...state,
    status: "applying",
    target,
    ports,
    // down undoes both: the new plan's objects first (last on the stack), then the old.
    owned: [...state.owned, ...providers.flatMap((p) => owns(p, target))],
  };
  await store.write(record);
  const ctx: ApplyContext = { ...input.context(ports), before, rebuilt: rebuiltNodes(changes) };
  const teardown = { lab: state.lab, run: deps.run, layout: labLayout(store.labDir(state.lab)) };
  try {
    for (const p of [...providers].reverse()) {
      ctx.signal?.throwIfAborted();
      if (p.uses(before, spliced) && p.uses(target, spliced))
        await p.retire?.(ctx, prepared.get(p));
      else if (p.uses(before, spliced))
        for (const slice of state.owned.filter((s) => s.provider === p.name))
          await p.destroy(teardown, slice.owned);
    }
    for (const p of providers) {
      ctx.signal?.throwIfAborted();
      if (p.uses(before, spliced) && p.uses(target, spliced)) await p.apply?.(ctx, prepared.get(p));
      else if (p.uses(target, spliced))
        for (const phase of PHASES) await p[phase]?.call(p, ctx, prepared.get(p));
    }
  } catch (e) {
    const how = ctx.signal?.aborted ? "was interrupted" : "stopped";
    throw new LabError(
      `the change of lab "${state.lab}" ${how} halfway${ctx.signal?.aborted ? "" : `: ${(e as Error).message}`}; "wirelab up ${state.file}" finishes it, "wirelab down --lab ${state.lab}" removes the lab`,
      { cause: e },
    );
  }
  const { target: _done, ...rest } = record;
  await store.write({
    ...rest,
    status: "up",
    plan: target,
    // A splice's ports stay with it.
    ports: onlyRequested(ports, [
      ...portRequests(target),
      ...(spliced ?? []).flatMap(splicePortRequests),
    ]),
    owned: providers.flatMap((p) => owns(p, target)),
  });
  return changes;
}

/** The lab's ports, and new ones for what the target requests that it has not. */
async function allocateNew(
  deps: ResolvedDeps,
  state: LabState,
  requests: readonly PortRequest[],
  others: readonly LabState[],
): Promise<LabPorts> {
  const missing = requests.filter((r) => state.ports[r.protocol][r.key] === undefined);
  if (missing.length === 0) return state.ports;
  const taken = new Set([...others.flatMap((o) => allPorts(o.ports)), ...allPorts(state.ports)]);
  const fresh = await deps.allocatePorts(state.lab, missing, taken);
  return {
    udp: { ...state.ports.udp, ...fresh.udp },
    tcp: { ...state.ports.tcp, ...fresh.tcp },
  };
}

function onlyRequested(ports: LabPorts, requests: readonly PortRequest[]): LabPorts {
  const out: { udp: Record<string, number>; tcp: Record<string, number> } = { udp: {}, tcp: {} };
  for (const r of requests) {
    const port = ports[r.protocol][r.key];
    if (port !== undefined) out[r.protocol][r.key] = port;
  }
  return out;
}

/**
 * Refuses an apply whose new namespaces or host devices exist already:
 * they are not the lab's (it never had them), and wirelab never touches
 * what it did not create.
 *
 * @throws {LabError} naming them
 */
async function checkNewNames(deps: ResolvedDeps, before: LabPlan, target: LabPlan): Promise<void> {
  const had = new Set([...planNamespaces(before), ...hostDevices(before)]);
  const wantNs = planNamespaces(target).filter((n) => !had.has(n));
  const wantDev = hostDevices(target).filter((d) => !had.has(d));
  if (wantNs.length === 0 && wantDev.length === 0) return;
  const liveNs = await listNamespaces(deps.run);
  const liveDev = wantDev.length ? await listHostLinks(deps.run) : new Set<string>();
  const taken = [...wantNs.filter((n) => liveNs.has(n)), ...wantDev.filter((d) => liveDev.has(d))];
  if (taken.length)
    throw new LabError(
      `the new nodes and links of lab "${target.lab}" need names that are already taken: ${taken.join(", ")}; wirelab never touches objects it did not create: remove them or rename the nodes`,
    );
}
