/**
 * The namespace provider: builds and removes a lab of `kind: linux` nodes
 * from its plan. Kernel work is batched: one host `ip -batch` for all
 * namespaces and vEth pairs, then one `ip -n NS -batch` per namespace, run a
 * few at a time.
 */
import pMap from "p-map";
import type { Runner } from "../../exec.js";
import type { Reporter } from "../../log.js";
import { mirredPairs } from "../../plan/links.js";
import type { LabPlan } from "../../plan/types.js";
import { ipBatch, listHostLinks, listNamespaces, mirredClassifier, tcBatch } from "./kernel.js";
import { rewireScripts } from "./rewire.js";
import {
  forwardingSysctl,
  hostScript,
  labNamespaceScript,
  mirredScript,
  nodeScript,
} from "./scripts.js";

/** Options shared by provider calls. */
export interface ProviderOptions {
  readonly run: Runner;
  readonly reporter?: Reporter;
  /** Namespaces configured at once. @default 4 */
  readonly concurrency?: number;
  /** Stops between steps when aborted (Ctrl-C); commands already running finish first. */
  readonly signal?: AbortSignal;
}

/** Every namespace a plan creates, lab namespace first. */
export function planNamespaces(plan: LabPlan): string[] {
  const nodes = plan.nodes.flatMap((n) => (n.namespace ? [n.namespace] : []));
  return [...(plan.labNamespace ? [plan.labNamespace] : []), ...nodes];
}

/**
 * Builds the lab. The caller has recorded {@link planNamespaces} in the
 * lab's state first, so a failure or kill at any point can be undone.
 *
 * @throws {CommandError} when an `ip` or `sysctl` run fails
 * @throws the signal's reason when `signal` is aborted
 */
export async function createNetnsLab(plan: LabPlan, options: ProviderOptions): Promise<void> {
  const { run, reporter, signal } = options;
  signal?.throwIfAborted();
  const concurrency = options.concurrency ?? 4;
  reporter?.progress?.({ step: "creating namespaces and links", done: 0, total: 1 });
  await ipBatch(run, hostScript(plan));
  const pairs = mirredPairs(plan.links);
  const first = pairs[0];
  if (first) await tcBatch(run, mirredScript(pairs, await mirredClassifier(run, first)));
  reporter?.progress?.({ step: "creating namespaces and links", done: 1, total: 1 });

  const jobs: { namespace: string; lines: string[]; forwarding?: boolean }[] = [];
  if (plan.labNamespace)
    jobs.push({ namespace: plan.labNamespace, lines: labNamespaceScript(plan) });
  for (const n of plan.nodes) {
    if (n.namespace)
      jobs.push({ namespace: n.namespace, lines: nodeScript(n), forwarding: n.forwarding });
  }
  let done = 0;
  const step = "configuring nodes";
  reporter?.progress?.({ step, done, total: jobs.length });
  await pMap(
    jobs,
    async (job) => {
      await ipBatch(run, job.lines, job.namespace);
      if (job.forwarding)
        await run("ip", ["netns", "exec", job.namespace, "sysctl", ...forwardingSysctl(true)]);
      reporter?.progress?.({ step, done: ++done, total: jobs.length });
    },
    { concurrency, ...(signal ? { signal } : {}) },
  );
}

/**
 * Removes the given namespaces (and with them every interface, bridge and
 * route inside). Names that are already gone are skipped.
 *
 * @param namespaces - exactly the namespaces the lab recorded as its own
 * @returns the namespaces that were deleted
 * @throws {CommandError} when some namespace could not be deleted
 */
export async function destroyNamespaces(
  namespaces: readonly string[],
  options: ProviderOptions,
): Promise<string[]> {
  const { run } = options;
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
export async function destroyHostDevices(
  names: readonly string[],
  options: ProviderOptions,
): Promise<string[]> {
  if (names.length === 0) return [];
  const present = await listHostLinks(options.run);
  const doomed = names.filter((n) => present.has(n));
  await ipBatch(
    options.run,
    doomed.map((n) => `link delete ${n}`),
    undefined,
    true,
  );
  return doomed;
}

/**
 * Restarts a namespace node: deletes its namespace and builds it again with
 * every wire it had; its peers get their interfaces, addresses and routes
 * back, untouched otherwise.
 *
 * @throws {CommandError} when the kernel refuses a step
 */
export async function restartNetnsNode(
  plan: LabPlan,
  name: string,
  options: ProviderOptions,
): Promise<void> {
  const { run } = options;
  const node = plan.nodes.find((n) => n.name === name);
  if (!node?.namespace) throw new Error(`${name} is not a namespace node`);
  await destroyNamespaces([node.namespace], options);
  const scripts = rewireScripts(plan, name);
  await ipBatch(run, scripts.host);
  const first = scripts.mirred[0];
  if (first) {
    for (const [tap] of scripts.mirred)
      await run("tc", ["qdisc", "del", "dev", tap, "ingress"], { check: false });
    await tcBatch(run, mirredScript(scripts.mirred, await mirredClassifier(run, first)));
  }
  for (const [ns, lines] of scripts.namespaces) await ipBatch(run, lines, ns);
  if (node.forwarding)
    await run("ip", ["netns", "exec", node.namespace, "sysctl", ...forwardingSysctl(true)]);
}
