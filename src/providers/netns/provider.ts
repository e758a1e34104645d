/**
 * The netns provider: a lab's network namespaces and its kernel links
 * (vEth pairs, bridges, taps, tc mirred). Kernel work is batched: one host
 * `ip -batch` for every namespace and object, one `tc -batch` for the
 * mirred filters, then one `ip -n NS -batch` per namespace, a few at a time.
 */
import { eachSettled } from "../../concurrent.js";
import { LabError } from "../../errors.js";
import type { Runner } from "../../exec.js";
import { hostsText } from "../../plan/hosts.js";
import { namespaceOf } from "../../plan/kinds/index.js";
import { hostTag } from "../../plan/names.js";
import type { LabPlan } from "../../plan/types.js";
import { writeHostsFiles } from "../hosts.js";
import {
  bridgeScripts,
  forwardingSysctl,
  hostDevices,
  hostScript,
  mirredPairs,
  nodeScript,
  planNamespaces,
  softwareChecksumEnds,
} from "../iproute2.js";
import type { OtherLab, Owned, Provider, TeardownContext } from "../provider.js";
import { applyNetns, retireNetns } from "./apply.js";
import {
  checksumsInSoftware,
  destroyNamespaces,
  ipBatch,
  joinMirred,
  listHostLinks,
  listNamespaces,
} from "./kernel.js";
import { repairNetns } from "./repair.js";
import { addSpliceHooks } from "./splice.js";
import { describeSurvey, surveyNetns } from "./survey.js";

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
  tools: (plan) => [
    "ip",
    "sysctl",
    ...(mirredPairs(plan).length ? ["tc"] : []),
    ...(softwareChecksumEnds(plan).length ? ["ethtool"] : []),
  ],
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
    // Node names resolve in every node (netlab's /etc/hosts).
    await writeHostsFiles(
      plan.nodes.flatMap((n) => namespaceOf(n) ?? []),
      hostsText(plan),
    );
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
    await checksumsInSoftware(run, softwareChecksumEnds(plan));
    await addSpliceHooks(run, plan);
  },
  async retire(ctx) {
    await retireNetns(ctx);
  },
  async apply(ctx) {
    await applyNetns(ctx);
    await writeHostsFiles(
      ctx.plan.nodes.flatMap((n) => namespaceOf(n) ?? []),
      hostsText(ctx.plan),
    );
  },
  async repair(ctx) {
    const r = await repairNetns(ctx.run, ctx.plan);
    if ("repaired" in r && r.repaired.length)
      ctx.reporter?.info?.(`put back what was missing: ${r.repaired.join(", ")}`);
    return r;
  },
  async missing(ctx, plan) {
    return describeSurvey(await surveyNetns(ctx.run, plan));
  },
  async findOwned(ctx, others) {
    // Names of this lab's, not another's: another lab's name may start with this one's.
    const prefix = `wl-${ctx.lab}`;
    const theirs = new Set(
      others.flatMap((o) =>
        o.owned.flatMap((s) =>
          s.provider === "netns"
            ? [...netnsOwned(s.owned).namespaces, ...netnsOwned(s.owned).hostDevices]
            : [],
        ),
      ),
    );
    const longer = others.filter((o) => o.lab.startsWith(`${ctx.lab}-`)).map((o) => `wl-${o.lab}`);
    const namespaces = [...(await listNamespaces(ctx.run))].filter(
      (n) =>
        (n === prefix || n.startsWith(`${prefix}-`)) &&
        !theirs.has(n) &&
        !longer.some((l) => n === l || n.startsWith(`${l}-`)),
    );
    const tag = `wl${hostTag(ctx.lab)}`;
    const sameTag = others.some((o) => hostTag(o.lab) === hostTag(ctx.lab));
    const hostDevices = sameTag
      ? []
      : [...(await listHostLinks(ctx.run))].filter(
          (d) => d.startsWith(tag) && /^[tv]\d+$/.test(d.slice(tag.length)) && !theirs.has(d),
        );
    return namespaces.length || hostDevices.length ? { namespaces, hostDevices } : undefined;
  },
  async destroy(ctx, owned) {
    const { namespaces, hostDevices: devices } = netnsOwned(owned);
    const removedDevices = await destroyHostDevices(ctx, devices);
    const removed = await destroyNamespaces(ctx, namespaces);
    return { "host device": removedDevices, namespace: removed };
  },
};

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
