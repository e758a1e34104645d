/**
 * Re-wiring what was lost: a restarted namespace node, or one vEth pair or
 * tap deleted by hand. Deleting a namespace deletes every vEth end in it,
 * and with them the other ends: a peer's interface, a LAN port, the host end
 * a tap or socat used; the kernel also drops the peers' routes through them.
 * These scripts rebuild what is gone and give each peer back exactly what
 * it lost, from the plan's kernel objects alone.
 */
import { namespaceOf } from "../../plan/kinds/index.js";
import type { KernelObject, VethEnd } from "../../plan/transports/types.js";
import type { LabPlan, NodePlan } from "../../plan/types.js";
import { PlanView } from "../../plan/view.js";
import {
  bridgePortLines,
  interfaceLines,
  kernelObjects,
  mirredPairs,
  nodeScript,
  objectLines,
} from "../iproute2.js";

/** Scripts that rebuild objects and the ends of their links. */
export interface RewireScripts {
  /** `ip -batch` in the host: namespaces and objects to create. */
  readonly host: string[];
  /** Mirred pairs to join again (a tap and a new host end); the old filters must go first. */
  readonly mirred: (readonly [string, string])[];
  /** `ip -n NS -batch` per namespace: interfaces back up with addresses and routes, bridge ports. */
  readonly namespaces: ReadonlyMap<string, string[]>;
  /**
   * Far ends of the rebuilt node's vEths, to delete if they are still there:
   * a deleted namespace that a process still holds (a router's daemons, a
   * user's shell) keeps its vEths, and with them their far ends.
   */
  readonly stale?: readonly VethEnd[];
}

type Veth = Extract<KernelObject, { type: "veth" }>;

/** What the ends of a lab's vEths are: a node's interface, or a port of a bridge. */
class Ends {
  private readonly view: PlanView;
  private readonly objects: KernelObject[];
  private readonly owners: Map<string, NodePlan>;

  constructor(readonly plan: LabPlan) {
    this.view = new PlanView(plan);
    this.objects = kernelObjects(plan);
    this.owners = new Map(
      plan.nodes.flatMap((n) => {
        const x = namespaceOf(n);
        return x ? [[x, n] as const] : [];
      }),
    );
  }

  /** The lab's vEths. */
  veths(): Veth[] {
    return this.objects.filter((o): o is Veth => o.type === "veth");
  }

  /** Lines that give a new end what it had: a node's addresses and routes, or its bridge. */
  lines(end: VethEnd): string[] {
    if (end.namespace === undefined) return [];
    const node = this.owners.get(end.namespace);
    if (node) return interfaceLines(node, this.view.iface(node.name, end.ifname));
    // A port of a bridge in the lab namespace.
    const bridge = this.objects.find(
      (b) => b.type === "bridge" && b.namespace === end.namespace && b.ports.includes(end.ifname),
    );
    return bridge?.type === "bridge" ? bridgePortLines(bridge.name, [end.ifname]) : [];
  }

  /** Mirred pairs that use one of these host devices. */
  mirredOf(hostDevices: ReadonlySet<string>): (readonly [string, string])[] {
    return mirredPairs(this.plan).filter(([a, b]) => hostDevices.has(a) || hostDevices.has(b));
  }
}

/**
 * @param plan - the lab's plan
 * @param name - the namespace node to rebuild (its namespace deleted first)
 * @throws {Error} when the node's kind has no namespace
 */
export function rewireScripts(plan: LabPlan, name: string): RewireScripts {
  const ends = new Ends(plan);
  const node = new PlanView(plan).node(name);
  const ns = namespaceOf(node);
  if (!ns) throw new Error(`${name} has no namespace to rebuild`);
  const host = [`netns add ${ns}`];
  const perNs = new Map<string, string[]>([[ns, nodeScript(node)]]);
  const add = (where: string, lines: string[]) =>
    perNs.set(where, [...(perNs.get(where) ?? []), ...lines]);
  const recreated = new Set<string>();
  const stale: VethEnd[] = [];
  for (const o of ends.veths()) {
    if (!o.ends.some((e) => e.namespace === ns)) continue;
    stale.push(...o.ends.filter((e) => e.namespace !== ns));
    // The node's own end first, unless the other is the host's (whose lines follow it).
    const [a, b] = o.ends;
    const flip = b.namespace === ns && a.namespace !== undefined;
    host.push(...objectLines(flip ? { type: "veth", ends: [b, a] } : o));
    for (const far of o.ends) {
      if (far.namespace === ns) continue;
      if (far.namespace === undefined) recreated.add(far.ifname);
      else add(far.namespace, ends.lines(far));
    }
  }
  // A tap's filters pointed at a host end that is gone: both directions are set again.
  return { host, mirred: ends.mirredOf(recreated), namespaces: perNs, stale };
}

/**
 * Scripts that make vEth pairs and taps again (whatever is left of each is
 * deleted first, see {@link rewireLeftovers}), each end given what it had.
 *
 * @param veths - vEths of the plan with an end missing
 * @param taps - taps of the plan that are missing
 */
export function recreateScripts(
  plan: LabPlan,
  veths: readonly Veth[],
  taps: readonly string[],
): RewireScripts {
  const ends = new Ends(plan);
  const host: string[] = [];
  const perNs = new Map<string, string[]>();
  const inHost = new Set<string>(taps);
  for (const o of veths) {
    host.push(...objectLines(o));
    for (const e of o.ends) {
      if (e.namespace === undefined) inHost.add(e.ifname);
      else perNs.set(e.namespace, [...(perNs.get(e.namespace) ?? []), ...ends.lines(e)]);
    }
  }
  for (const t of taps) host.push(...objectLines({ type: "tap", name: t }));
  return { host, mirred: ends.mirredOf(inHost), namespaces: perNs };
}

/** What is left of vEth pairs with an end missing: the ends still there, to delete before recreating. */
export function rewireLeftovers(
  veths: readonly Veth[],
  present: (end: VethEnd) => boolean,
): VethEnd[] {
  return veths.flatMap((o) => o.ends.filter(present));
}
