/**
 * The netns provider: a lab's network namespaces and its kernel links
 * (vEth pairs, bridges, taps, tc mirred). Kernel work is batched: one host
 * `ip -batch` for every namespace and object, one `tc -batch` for the
 * mirred filters, then one `ip -n NS -batch` per namespace, a few at a time.
 */
import { eachSettled } from "../../concurrent.js";
import { LabError } from "../../errors.js";
import type { Runner } from "../../exec.js";
import { namespaceOf } from "../../plan/kinds/index.js";
import type { LabPlan } from "../../plan/types.js";
import {
  bridgeScripts,
  forwardingSysctl,
  hostDevices,
  hostScript,
  mirredPairs,
  mirredScript,
  nodeScript,
  planNamespaces,
} from "../iproute2.js";
import type { OtherLab, Owned, Provider, TeardownContext } from "../provider.js";
import { ipBatch, listHostLinks, listNamespaces, mirredClassifier, tcBatch } from "./kernel.js";
import { rewireScripts } from "./rewire.js";

/** What the netns provider records: exactly the names it may delete. */
export interface NetnsOwned extends Owned {
  readonly namespaces: readonly string[];
  readonly hostDevices: readonly string[];
}

/** Reads the provider's part of a record (tolerating a missing list). */
export function netnsOwned(owned: Owned): NetnsOwned {
  const list = (x: unknown) =>
    Array.isArray(x) ? x.filter((v): v is string => typeof v === "string") : [];
  return { namespaces: list(owned.namespaces), hostDevices: list(owned.hostDevices) };
}

/** The netns provider (see the module comment). */
export const netnsProvider: Provider<void> = {
  name: "netns",
  findableByName: true,
  uses: (plan) => planNamespaces(plan).length > 0 || hostDevices(plan).length > 0,
  tools: (plan) => ["ip", "sysctl", ...(mirredPairs(plan).length ? ["tc"] : [])],
  preflight: async () => undefined,
  reserve: (ctx, others) => checkCollisions(ctx.run, ctx.plan, others),
  owns: (plan) => ({ namespaces: planNamespaces(plan), hostDevices: hostDevices(plan) }),
  async create(ctx) {
    const { run, reporter, plan } = ctx;
    ctx.signal?.throwIfAborted();
    reporter?.progress?.({ step: "creating namespaces and links", done: 0, total: 1 });
    await ipBatch(run, hostScript(plan));
    await joinMirred(run, mirredPairs(plan));
    reporter?.progress?.({ step: "creating namespaces and links", done: 1, total: 1 });
  },
  async configure(ctx) {
    const { run, reporter, plan, signal } = ctx;
    const jobs: { namespace: string; lines: string[]; forwarding?: boolean }[] = [
      ...[...bridgeScripts(plan)].map(([namespace, lines]) => ({ namespace, lines })),
    ];
    for (const n of plan.nodes) {
      const namespace = namespaceOf(n);
      if (namespace) jobs.push({ namespace, lines: nodeScript(n), forwarding: n.forwarding });
    }
    let done = 0;
    const step = "configuring nodes";
    reporter?.progress?.({ step, done, total: jobs.length });
    await eachSettled(
      jobs,
      async (job) => {
        await ipBatch(run, job.lines, job.namespace);
        if (job.forwarding)
          await run("ip", ["netns", "exec", job.namespace, "sysctl", ...forwardingSysctl(true)]);
        reporter?.progress?.({ step, done: ++done, total: jobs.length });
      },
      { concurrency: ctx.concurrency, ...(signal ? { signal } : {}) },
    );
  },
  async repair(ctx) {
    const present = await listNamespaces(ctx.run);
    const missing = planNamespaces(ctx.plan).filter((n) => !present.has(n));
    return missing.length ? { rebuild: `missing ${missing.join(", ")}` } : { repaired: [] };
  },
  async destroy(ctx, owned) {
    const { namespaces, hostDevices: devices } = netnsOwned(owned);
    const removedDevices = await destroyHostDevices(ctx, devices);
    const removed = await destroyNamespaces(ctx, namespaces);
    return { "host device": removedDevices, namespace: removed };
  },
};

/** Joins pairs with mirred redirects, with the classifier this kernel has. */
async function joinMirred(run: Runner, pairs: readonly (readonly [string, string])[]) {
  const first = pairs[0];
  if (first) await tcBatch(run, mirredScript(pairs, await mirredClassifier(run, first)));
}

/**
 * Removes the given namespaces (and with them every interface, bridge and
 * route inside). Names that are already gone are skipped.
 *
 * @returns the namespaces that were deleted
 * @throws {CommandError} when some namespace could not be deleted
 */
export async function destroyNamespaces(
  ctx: Pick<TeardownContext, "run">,
  namespaces: readonly string[],
): Promise<string[]> {
  const { run } = ctx;
  const present = await listNamespaces(run);
  const doomed = namespaces.filter((n) => present.has(n));
  await ipBatch(
    run,
    doomed.map((n) => `netns delete ${n}`),
    undefined,
    true,
  );
  const left = await listNamespaces(run);
  const stuck = doomed.filter((n) => left.has(n));
  if (stuck.length > 0) {
    await ipBatch(
      run,
      stuck.map((n) => `netns delete ${n}`),
    );
  }
  return doomed;
}

/**
 * Deletes host-namespace devices (taps, vEth host ends) the lab recorded as
 * its own; the far end of a vEth goes with it. Names already gone are skipped.
 *
 * @returns the devices deleted
 */
async function destroyHostDevices(
  ctx: Pick<TeardownContext, "run">,
  names: readonly string[],
): Promise<string[]> {
  if (names.length === 0) return [];
  const present = await listHostLinks(ctx.run);
  const doomed = names.filter((n) => present.has(n));
  await ipBatch(
    ctx.run,
    doomed.map((n) => `link delete ${n}`),
    undefined,
    true,
  );
  return doomed;
}

/**
 * Refuses to build over objects the lab does not own: a namespace or a
 * host device with a name the lab needs.
 *
 * @throws {LabError} naming each object and its owner (another lab, or nobody known)
 */
async function checkCollisions(
  run: Runner,
  plan: LabPlan,
  others: readonly OtherLab[],
): Promise<void> {
  const wanted = { namespaces: planNamespaces(plan), devices: hostDevices(plan) };
  const namespaces = await listNamespaces(run);
  const devices = wanted.devices.length > 0 ? await listHostLinks(run) : new Set<string>();
  const taken = [
    ...wanted.namespaces.filter((n) => namespaces.has(n)),
    ...wanted.devices.filter((d) => devices.has(d)),
  ];
  if (taken.length === 0) return;
  const owners = new Map<string, string>();
  for (const other of others) {
    for (const slice of other.owned) {
      if (slice.provider !== "netns") continue;
      const o = netnsOwned(slice.owned);
      for (const n of [...o.namespaces, ...o.hostDevices]) owners.set(n, other.lab);
    }
  }
  const list = taken.map((n) =>
    owners.has(n) ? `${n} (lab "${owners.get(n)}")` : `${n} (not created by this lab)`,
  );
  const shown = list.length > 5 ? [...list.slice(0, 5), `and ${list.length - 5} more`] : list;
  throw new LabError(
    `lab "${plan.lab}" needs names that are already taken: ${shown.join(", ")}; wirelab never touches objects it did not create: rename the lab ("name:") or its nodes, or remove them`,
  );
}

/**
 * Restarts a namespace node: deletes its namespace and builds it again with
 * every wire it had; its peers get their interfaces, addresses and routes
 * back, untouched otherwise.
 *
 * @throws {CommandError} when the kernel refuses a step
 */
export async function rebuildNamespace(
  run: Runner,
  plan: LabPlan,
  name: string,
  namespace: string,
  forwarding: boolean,
): Promise<void> {
  await destroyNamespaces({ run }, [namespace]);
  const scripts = rewireScripts(plan, name);
  await ipBatch(run, scripts.host);
  if (scripts.mirred.length) {
    // The surviving device (the tap) still has a filter pointing at the old host end.
    for (const pair of scripts.mirred)
      for (const dev of pair)
        await run("tc", ["qdisc", "del", "dev", dev, "ingress"], { check: false });
    await joinMirred(run, scripts.mirred);
  }
  for (const [ns, lines] of scripts.namespaces) await ipBatch(run, lines, ns);
  if (forwarding)
    await run("ip", ["netns", "exec", namespace, "sysctl", ...forwardingSysctl(true)]);
}
