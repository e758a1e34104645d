/**
 * Re-wiring a restarted namespace node (seed 000: "vEth links vanish when a
 * container restarts"). Deleting a namespace deletes every vEth end in it,
 * and with them the peers' ends, LAN ports and tap links' host ends; the
 * kernel also drops the peers' routes through those devices. These scripts
 * rebuild the node and give each peer back exactly what it lost.
 */
import type { InterfacePlan, LabPlan, NodePlan } from "../../plan/types.js";
import { hostVethLines, nodeScript } from "./scripts.js";

/** Scripts that rebuild one namespace node and the ends of its links. */
export interface RewireScripts {
  /** `ip -batch` in the host: the namespace and the vEth pairs. */
  readonly host: string[];
  /** Tap links to join again: (the VM's tap, the new host vEth end); the tap's old filters must go first. */
  readonly mirred: [string, string][];
  /** `ip -n NS -batch` per namespace (the node's own, its peers', the lab's). */
  readonly namespaces: ReadonlyMap<string, string[]>;
}

/**
 * @param plan - the lab's plan
 * @param name - the namespace node to rebuild
 * @throws {Error} when the node is not a namespace node of the plan
 */
export function rewireScripts(plan: LabPlan, name: string): RewireScripts {
  const node = plan.nodes.find((n) => n.name === name);
  if (!node?.namespace) throw new Error(`${name} is not a namespace node`);
  const nodes = new Map(plan.nodes.map((n) => [n.name, n]));
  const host = [`netns add ${node.namespace}`];
  const mirred: [string, string][] = [];
  const perNs = new Map<string, string[]>([[node.namespace, nodeScript(node)]]);
  const add = (ns: string, lines: string[]) => perNs.set(ns, [...(perNs.get(ns) ?? []), ...lines]);
  const mine = (e: { node: string }) => e.node === name;
  for (const link of plan.links) {
    if (!link.endpoints.some(mine)) continue;
    switch (link.transport) {
      case "veth": {
        const [a, b] = link.endpoints;
        const [self, peer] = mine(a) ? [a, b] : [b, a];
        const peerNode = nodes.get(peer.node) as NodePlan;
        const selfIf = iface(node, self.interface);
        const peerIf = iface(peerNode, peer.interface);
        host.push(
          `link add ${self.interface} netns ${node.namespace} address ${selfIf.mac} type veth peer ${peer.interface} netns ${peerNode.namespace} address ${peerIf.mac}`,
        );
        // A vEth back to itself (a loop) is rebuilt by the node's own script.
        if (peer.node !== name) add(peerNode.namespace as string, interfaceLines(peerNode, peerIf));
        break;
      }
      case "bridge":
        for (const e of link.endpoints.filter(mine)) {
          host.push(
            `link add ${e.interface} netns ${node.namespace} address ${iface(node, e.interface).mac} type veth peer ${e.port} netns ${link.namespace}`,
          );
          add(link.namespace, [
            `link set ${e.port} addrgenmode none`,
            `link set ${e.port} master ${link.bridge}`,
            `link set ${e.port} up`,
          ]);
        }
        break;
      case "tap": {
        const [a, b] = link.endpoints;
        const [self, peer] = mine(a) ? [a, b] : [b, a];
        if (!self.hostVeth || !peer.tap) break;
        host.push(
          ...hostVethLines(
            self.hostVeth,
            self.interface,
            node.namespace,
            iface(node, self.interface).mac,
          ),
        );
        // The tap's filter pointed at the vEth that is gone: both directions are set again.
        mirred.push([peer.tap, self.hostVeth]);
        break;
      }
      case "hub":
      case "switch":
      case "relay":
        // The daemon's socat for this end attaches again once the vEth is back.
        for (const e of link.endpoints.filter(mine)) {
          if (e.hostVeth) {
            host.push(
              ...hostVethLines(
                e.hostVeth,
                e.interface,
                node.namespace,
                iface(node, e.interface).mac,
              ),
            );
          }
        }
        break;
      case "udp":
        break;
    }
  }
  return { host, mirred, namespaces: perNs };
}

function iface(node: NodePlan, name: string): InterfacePlan {
  const i = node.interfaces.find((x) => x.name === name);
  if (!i) throw new Error(`${node.name} has no interface ${name}`);
  return i;
}

/** A peer's interface back up with its addresses, and its routes through it. */
function interfaceLines(node: NodePlan, i: InterfacePlan): string[] {
  const lines = [`link set ${i.name} up`];
  if (i.ipv4) lines.push(`address add ${i.ipv4} dev ${i.name}`);
  if (i.ipv6) lines.push(`address add ${i.ipv6} dev ${i.name} nodad`);
  for (const r of node.routes) {
    if (!r.nexthops.some((h) => h.dev === i.name)) continue;
    const hops =
      r.nexthops.length === 1
        ? `via ${r.nexthops[0]?.via} dev ${r.nexthops[0]?.dev}`
        : r.nexthops.map((h) => `nexthop via ${h.via} dev ${h.dev}`).join(" ");
    lines.push(`route replace ${r.prefix} ${hops}`);
  }
  return lines;
}
