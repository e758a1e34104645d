/**
 * What of a lab's kernel objects is there, read live: its namespaces, every
 * vEth end (in the host or in a namespace), taps, bridges and their ports,
 * and the tc mirred filters that join taps to vEths. `up` repairs from it;
 * `status` shows what is missing.
 */
import type { Runner } from "../../exec.js";
import type { KernelObject, VethEnd } from "../../plan/transports/types.js";
import type { LabPlan } from "../../plan/types.js";
import { kernelObjects, mirredPairs, planNamespaces } from "../iproute2.js";
import { listHostLinks, listNamespaces } from "./kernel.js";

/** Namespaces read at once. */
const SURVEY_CONCURRENCY = 8;

type Veth = Extract<KernelObject, { type: "veth" }>;

/** What is missing. */
export interface NetnsSurvey {
  /** Namespaces of the plan that are gone. */
  readonly namespaces: readonly string[];
  /** vEth pairs with an end gone (in namespaces that are there). */
  readonly veths: readonly Veth[];
  /** Taps that are gone. */
  readonly taps: readonly string[];
  /** Bridges that are gone (`namespace/name`). */
  readonly bridges: readonly string[];
  /** Bridge ports that are there but in no bridge (or another). */
  readonly detached: readonly {
    readonly namespace: string;
    readonly bridge: string;
    readonly port: string;
  }[];
  /** Mirred pairs of which a direction's filter is gone (both devices there). */
  readonly mirred: readonly (readonly [string, string])[];
  /** Whether an end is there. */
  readonly present: (end: VethEnd) => boolean;
}

/** One device as `ip -json link show` gives it (the fields read here; ip(8)). */
interface LinkInfo {
  readonly ifname: string;
  readonly master?: string;
}

/** Reads what of the plan's kernel objects is there. */
export async function surveyNetns(run: Runner, plan: LabPlan): Promise<NetnsSurvey> {
  const objects = kernelObjects(plan);
  const liveNs = await listNamespaces(run);
  const hostLinks = await listHostLinks(run);
  const wanted = planNamespaces(plan).filter((n) => liveNs.has(n));
  const inNs = new Map<string, Map<string, LinkInfo>>();
  for (let i = 0; i < wanted.length; i += SURVEY_CONCURRENCY) {
    await Promise.all(
      wanted.slice(i, i + SURVEY_CONCURRENCY).map(async (ns) => {
        inNs.set(ns, await linksOf(run, ns));
      }),
    );
  }
  const present = (e: VethEnd) =>
    e.namespace === undefined ? hostLinks.has(e.ifname) : !!inNs.get(e.namespace)?.has(e.ifname);
  const nsThere = (e: VethEnd) => e.namespace === undefined || liveNs.has(e.namespace);
  const veths: Veth[] = [];
  const taps: string[] = [];
  const bridges: string[] = [];
  const detached: { namespace: string; bridge: string; port: string }[] = [];
  for (const o of objects) {
    if (o.type === "veth") {
      // A vEth of a namespace that is gone comes back with it.
      if (o.ends.every(nsThere) && !o.ends.every(present)) veths.push(o);
    } else if (o.type === "tap") {
      if (!hostLinks.has(o.name)) taps.push(o.name);
    } else if (liveNs.has(o.namespace)) {
      const links = inNs.get(o.namespace);
      if (!links?.has(o.name)) bridges.push(`${o.namespace}/${o.name}`);
      else
        for (const port of o.ports) {
          const l = links.get(port);
          if (l && l.master !== o.name)
            detached.push({ namespace: o.namespace, bridge: o.name, port });
        }
    }
  }
  const mirred: (readonly [string, string])[] = [];
  for (const pair of mirredPairs(plan)) {
    if (!pair.every((d) => hostLinks.has(d))) continue;
    const [a, b] = pair;
    if (!(await redirects(run, a, b)) || !(await redirects(run, b, a))) mirred.push(pair);
  }
  return {
    namespaces: planNamespaces(plan).filter((n) => !liveNs.has(n)),
    veths,
    taps,
    bridges,
    detached,
    mirred,
    present,
  };
}

/** What a survey found missing, in words (nothing when the lab is whole). */
export function describeSurvey(s: NetnsSurvey): string[] {
  const end = (e: VethEnd) => `${e.ifname}${e.namespace ? ` in ${e.namespace}` : ""}`;
  return [
    ...s.namespaces.map((n) => `namespace ${n}`),
    ...s.veths.flatMap((o) => o.ends.filter((e) => !s.present(e)).map((e) => `vEth ${end(e)}`)),
    ...s.taps.map((t) => `tap ${t}`),
    ...s.bridges.map((b) => {
      const [ns, name] = b.split("/");
      return `bridge ${name} in ${ns}`;
    }),
    ...s.detached.map((d) => `port ${d.port} of bridge ${d.bridge} in ${d.namespace}`),
    ...s.mirred.map(([a, b]) => `tc mirred filters joining ${a} and ${b}`),
  ];
}

/** Devices of a namespace, by name. */
async function linksOf(run: Runner, ns: string): Promise<Map<string, LinkInfo>> {
  const r = await run("ip", ["-n", ns, "-json", "link", "show"], { check: false });
  const links = r.exitCode === 0 && r.stdout.trim() ? (JSON.parse(r.stdout) as LinkInfo[]) : [];
  return new Map(links.map((l) => [l.ifname, l]));
}

/** Whether what enters `from` is redirected to `to` (an ingress mirred filter; tc-mirred(8)). */
async function redirects(run: Runner, from: string, to: string): Promise<boolean> {
  const r = await run("tc", ["filter", "show", "dev", from, "ingress"], { check: false });
  return r.exitCode === 0 && r.stdout.includes("mirred") && r.stdout.includes(` to device ${to})`);
}
