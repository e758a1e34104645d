/**
 * Putting back what a lab lost: a namespace node (rebuilt with every wire
 * it had), vEth pairs and taps deleted by hand, tc mirred filters, bridge
 * ports. Everything comes from the plan; peers keep what they have.
 */

import type { Runner } from "../../exec.js";
import { hostsText } from "../../plan/hosts.js";
import { namespaceOf } from "../../plan/kinds/index.js";
import type { LabPlan } from "../../plan/types.js";
import { writeHostsFiles } from "../hosts.js";
import { bridgePortLines, forwardingSysctl, softwareChecksumEnds } from "../iproute2.js";
import type { RepairResult } from "../provider.js";
import { checksumsInSoftware, destroyNamespaces, ipBatch, joinMirred } from "./kernel.js";
import { type RewireScripts, recreateScripts, rewireLeftovers, rewireScripts } from "./rewire.js";
import { addSpliceHooks } from "./splice.js";
import { describeSurvey, surveyNetns } from "./survey.js";

/**
 * Runs rewire scripts: stale far ends deleted, the host's objects, the
 * mirred filters (old ones on those devices removed first), then each
 * namespace's lines.
 *
 * @throws {CommandError} when the kernel refuses a step
 */
async function applyRewire(run: Runner, scripts: RewireScripts, plan?: LabPlan): Promise<void> {
  for (const e of scripts.stale ?? [])
    await run("ip", [...(e.namespace ? ["-n", e.namespace] : []), "link", "delete", e.ifname], {
      check: false,
    });
  await ipBatch(run, scripts.host);
  if (scripts.mirred.length) {
    // A surviving device (a tap) still has a filter pointing at the old host end.
    for (const pair of scripts.mirred)
      for (const dev of pair)
        await run("tc", ["qdisc", "del", "dev", dev, "ingress"], { check: false });
    await joinMirred(run, scripts.mirred);
  }
  for (const [ns, lines] of scripts.namespaces) await ipBatch(run, lines, ns);
  if (plan) await addSpliceHooks(run, plan, new Set(scripts.namespaces.keys()));
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
  await applyRewire(run, rewireScripts(plan, name), plan);
  await checksumsInSoftware(
    run,
    softwareChecksumEnds(plan).filter((e) => e.namespace === namespace),
  );
  await writeHostsFiles([namespace], hostsText(plan));
  if (forwarding)
    await run("ip", ["netns", "exec", namespace, "sysctl", ...forwardingSysctl(true)]);
}

/**
 * Checks every kernel object of the plan and puts back what is missing:
 * namespace nodes first (which brings back their vEths), then the vEths,
 * taps, mirred filters and bridge ports still missing. A lab namespace or a
 * bridge that is gone means the lab must be rebuilt.
 *
 * @throws {CommandError} when the kernel refuses a step
 */
export async function repairNetns(run: Runner, plan: LabPlan): Promise<RepairResult> {
  let survey = await surveyNetns(run, plan);
  const lost = [
    ...(plan.labNamespace && survey.namespaces.includes(plan.labNamespace)
      ? [plan.labNamespace]
      : []),
    ...survey.bridges,
  ];
  if (lost.length) return { rebuild: `missing ${lost.join(", ")}` };
  const repaired: string[] = [];
  const nodes = plan.nodes.filter((n) => {
    const ns = namespaceOf(n);
    return ns !== undefined && survey.namespaces.includes(ns);
  });
  for (const n of nodes) {
    await rebuildNamespace(run, plan, n.name, namespaceOf(n) as string, n.forwarding);
    repaired.push(`node ${n.name} (namespace ${namespaceOf(n)})`);
  }
  if (nodes.length) survey = await surveyNetns(run, plan);
  const words = describeSurvey(survey);
  if (survey.veths.length || survey.taps.length) {
    for (const e of rewireLeftovers(survey.veths, survey.present))
      await run("ip", [...(e.namespace ? ["-n", e.namespace] : []), "link", "delete", e.ifname], {
        check: false,
      });
    await applyRewire(run, recreateScripts(plan, survey.veths, survey.taps), plan);
  }
  const rejoin = survey.mirred.filter(
    (pair) =>
      !survey.taps.some((t) => pair.includes(t)) &&
      !survey.veths.some((o) => o.ends.some((e) => pair.includes(e.ifname))),
  );
  if (rejoin.length)
    await applyRewire(run, { host: [], mirred: [...rejoin], namespaces: new Map() });
  for (const d of survey.detached)
    await ipBatch(run, bridgePortLines(d.bridge, [d.port]), d.namespace);
  if (repaired.length || survey.veths.length)
    await checksumsInSoftware(run, softwareChecksumEnds(plan));
  // The hosts files are written again whatever happened to them.
  await writeHostsFiles(
    plan.nodes.flatMap((n) => namespaceOf(n) ?? []),
    hostsText(plan),
  );
  return { repaired: [...repaired, ...words] };
}
