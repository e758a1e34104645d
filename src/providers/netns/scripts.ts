/**
 * `ip -batch` scripts that build a namespace lab from its plan. Pure: the
 * same plan gives the same lines. One host-level script creates every
 * namespace and every vEth pair with both ends already inside their
 * namespaces (no object ever lives in the host's namespace); then one script
 * per namespace, run with `ip -n NS -batch -`, configures what is inside.
 */
import type { LabPlan, NodePlan } from "../../plan/types.js";

/**
 * Bridge options for LANs: no STP and no forward delay (a lab LAN is up at
 * once), no multicast snooping (IPv6 ND and routing protocols' multicast pass
 * everywhere), and group_fwd_mask bit 14 so LLDP (01:80:c2:00:00:0e) crosses
 * the bridge; the kernel refuses bits 0-2 (STP, MAC control, LACP).
 */
export const BRIDGE_OPTIONS = [
  "stp_state",
  "0",
  "forward_delay",
  "0",
  "mcast_snooping",
  "0",
  "group_fwd_mask",
  "0x4000",
];

/** Lines for `ip -batch -` in the host: namespaces, LAN bridges, vEth pairs. */
export function hostScript(plan: LabPlan): string[] {
  const lines: string[] = [];
  if (plan.labNamespace) lines.push(`netns add ${plan.labNamespace}`);
  for (const n of plan.nodes) lines.push(`netns add ${n.namespace}`);
  const ns = new Map(plan.nodes.map((n) => [n.name, n]));
  const iface = (node: string, name: string) =>
    ns.get(node)?.interfaces.find((i) => i.name === name);
  for (const link of plan.links) {
    if (link.transport === "veth") {
      const [a, b] = link.endpoints;
      const ia = iface(a.node, a.interface);
      const ib = iface(b.node, b.interface);
      lines.push(
        `link add ${a.interface} netns ${ns.get(a.node)?.namespace} address ${ia?.mac} type veth peer ${b.interface} netns ${ns.get(b.node)?.namespace} address ${ib?.mac}`,
      );
    } else {
      lines.push(
        `link add ${link.bridge} netns ${link.namespace} type bridge ${BRIDGE_OPTIONS.join(" ")}`,
      );
      for (const ep of link.endpoints) {
        const i = iface(ep.node, ep.interface);
        lines.push(
          `link add ${ep.interface} netns ${ns.get(ep.node)?.namespace} address ${i?.mac} type veth peer ${ep.port} netns ${link.namespace}`,
        );
      }
    }
  }
  return lines;
}

/** Lines for `ip -n <lab namespace> -batch -`: ports into bridges, all up, no IPv6 link-local chatter. */
export function labNamespaceScript(plan: LabPlan): string[] {
  const lines: string[] = [];
  for (const link of plan.links) {
    if (link.transport !== "bridge") continue;
    lines.push(`link set ${link.bridge} addrgenmode none`);
    for (const ep of link.endpoints) {
      lines.push(
        `link set ${ep.port} addrgenmode none`,
        `link set ${ep.port} master ${link.bridge}`,
        `link set ${ep.port} up`,
      );
    }
    lines.push(`link set ${link.bridge} up`);
  }
  return lines;
}

/** Lines for `ip -n <node namespace> -batch -`: loopback, interfaces up, addresses, routes. */
export function nodeScript(node: NodePlan): string[] {
  const lines = ["link set lo up"];
  if (node.loopback.ipv4) lines.push(`address add ${node.loopback.ipv4} dev lo`);
  if (node.loopback.ipv6) lines.push(`address add ${node.loopback.ipv6} dev lo`);
  for (const i of node.interfaces) {
    lines.push(`link set ${i.name} up`);
    if (i.ipv4) lines.push(`address add ${i.ipv4} dev ${i.name}`);
    // nodad: the address is usable at once; the plan guarantees it is unique.
    if (i.ipv6) lines.push(`address add ${i.ipv6} dev ${i.name} nodad`);
  }
  for (const r of node.routes) {
    if (r.nexthops.length === 1) {
      const h = r.nexthops[0];
      lines.push(`route add ${r.prefix} via ${h?.via} dev ${h?.dev}`);
    } else {
      lines.push(
        `route add ${r.prefix} ${r.nexthops.map((h) => `nexthop via ${h.via} dev ${h.dev}`).join(" ")}`,
      );
    }
  }
  return lines;
}

/** `sysctl` arguments that set forwarding on (run inside the node's namespace). */
export function forwardingSysctl(on: boolean): string[] {
  const v = on ? "1" : "0";
  return ["-qw", `net.ipv4.ip_forward=${v}`, `net.ipv6.conf.all.forwarding=${v}`];
}
