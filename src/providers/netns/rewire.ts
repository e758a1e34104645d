/**
 * Re-wiring a restarted namespace node. Deleting a namespace deletes every
 * vEth end in it, and with them the other ends: a peer's interface, a LAN
 * port, the host end a tap or socat used; the kernel also drops the peers'
 * routes through them. These scripts rebuild the node and give each peer
 * back exactly what it lost, from the plan's kernel objects alone.
 */
import { namespaceOf } from "../../plan/kinds/index.js";
import type { LabPlan } from "../../plan/types.js";
import { PlanView } from "../../plan/view.js";
import {
  bridgePortLines,
  interfaceLines,
  kernelObjects,
  mirredPairs,
  nodeScript,
  objectLines,
} from "../iproute2.js";

/** Scripts that rebuild one namespace node and the ends of its links. */
export interface RewireScripts {
  /** `ip -batch` in the host: the namespace and the vEth pairs that had an end in it. */
  readonly host: string[];
  /** Mirred pairs to join again (a tap and the new host end); the old filters must go first. */
  readonly mirred: (readonly [string, string])[];
  /** `ip -n NS -batch` per namespace: the node's own, its peers', the lab's. */
  readonly namespaces: ReadonlyMap<string, string[]>;
}

/**
 * @param plan - the lab's plan
 * @param name - the namespace node to rebuild
 * @throws {Error} when the node's kind has no namespace
 */
export function rewireScripts(plan: LabPlan, name: string): RewireScripts {
  const view = new PlanView(plan);
  const node = view.node(name);
  const ns = namespaceOf(node);
  if (!ns) throw new Error(`${name} has no namespace to rebuild`);
  const host = [`netns add ${ns}`];
  const perNs = new Map<string, string[]>([[ns, nodeScript(node)]]);
  const add = (where: string, lines: string[]) =>
    perNs.set(where, [...(perNs.get(where) ?? []), ...lines]);
  const objects = kernelObjects(plan);
  const recreated = new Set<string>();
  // Namespaces of nodes, to find whose interface the far end of a vEth is.
  const owners = new Map(
    plan.nodes.flatMap((n) => {
      const x = namespaceOf(n);
      return x ? [[x, n] as const] : [];
    }),
  );
  for (const o of objects) {
    if (o.type !== "veth" || !o.ends.some((e) => e.namespace === ns)) continue;
    // The node's own end first, unless the other is the host's (whose lines follow it).
    const [a, b] = o.ends;
    const flip = b.namespace === ns && a.namespace !== undefined;
    host.push(...objectLines(flip ? { type: "veth", ends: [b, a] } : o));
    for (const far of o.ends) {
      if (far.namespace === ns) continue;
      if (far.namespace === undefined) {
        recreated.add(far.ifname);
        continue;
      }
      const peer = owners.get(far.namespace);
      if (peer) add(far.namespace, interfaceLines(peer, view.iface(peer.name, far.ifname)));
      else {
        // A port of a bridge in the lab namespace.
        const bridge = objects.find(
          (b) =>
            b.type === "bridge" && b.namespace === far.namespace && b.ports.includes(far.ifname),
        );
        if (bridge?.type === "bridge")
          add(far.namespace, bridgePortLines(bridge.name, [far.ifname]));
      }
    }
  }
  // A tap's filters pointed at a host end that is gone: both directions are set again.
  const mirred = mirredPairs(plan).filter(([a, b]) => recreated.has(a) || recreated.has(b));
  return { host, mirred, namespaces: perNs };
}
