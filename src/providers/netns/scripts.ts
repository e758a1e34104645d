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

/**
 * Lines for `ip -batch -` in the host: namespaces, LAN bridges, vEth pairs
 * with both ends in namespaces, and for VMs their taps and the host ends of
 * the vEth pairs that reach namespaces and bridges.
 */
export function hostScript(plan: LabPlan): string[] {
  const lines: string[] = [];
  if (plan.labNamespace) lines.push(`netns add ${plan.labNamespace}`);
  for (const n of plan.nodes) if (n.namespace) lines.push(`netns add ${n.namespace}`);
  const nodes = new Map(plan.nodes.map((n) => [n.name, n]));
  const nsOf = (node: string) => nodes.get(node)?.namespace;
  const macOf = (node: string, ifname: string) =>
    nodes.get(node)?.interfaces.find((i) => i.name === ifname)?.mac;
  const tap = (name: string) =>
    lines.push(`tuntap add dev ${name} mode tap`, `link set ${name} up`);
  for (const link of plan.links) {
    switch (link.transport) {
      case "veth": {
        const [a, b] = link.endpoints;
        lines.push(
          `link add ${a.interface} netns ${nsOf(a.node)} address ${macOf(a.node, a.interface)} type veth peer ${b.interface} netns ${nsOf(b.node)} address ${macOf(b.node, b.interface)}`,
        );
        break;
      }
      case "tap":
        for (const e of link.endpoints) {
          if (e.tap) tap(e.tap);
          if (e.hostVeth) {
            lines.push(
              ...hostVethLines(e.hostVeth, e.interface, nsOf(e.node), macOf(e.node, e.interface)),
            );
          }
        }
        break;
      case "bridge":
        lines.push(
          `link add ${link.bridge} netns ${link.namespace} type bridge ${BRIDGE_OPTIONS.join(" ")}`,
        );
        for (const e of link.endpoints) {
          if (e.tap && e.hostVeth) {
            tap(e.tap);
            lines.push(
              `link add ${e.hostVeth} type veth peer ${e.port} netns ${link.namespace}`,
              `link set ${e.hostVeth} addrgenmode none`,
              `link set ${e.hostVeth} up`,
            );
          } else {
            lines.push(
              `link add ${e.interface} netns ${nsOf(e.node)} address ${macOf(e.node, e.interface)} type veth peer ${e.port} netns ${link.namespace}`,
            );
          }
        }
        break;
      case "hub":
      case "switch":
      case "relay":
        // VM ends are QEMU sockets; a namespace end is a vEth that socat joins to the daemon.
        for (const e of link.endpoints) {
          if (e.hostVeth) {
            lines.push(
              ...hostVethLines(e.hostVeth, e.interface, nsOf(e.node), macOf(e.node, e.interface)),
            );
          }
        }
        break;
      case "udp":
        break; // QEMU's own socket; nothing in the kernel
    }
  }
  return lines;
}

/**
 * A vEth from the host to a namespace node's interface. The host end gets
 * no IPv6 link-local address, so the host itself never sends on it (its
 * frames would go into the lab through mirred or socat).
 */
export function hostVethLines(
  hostVeth: string,
  ifname: string,
  namespace: string | undefined,
  mac: string | undefined,
): string[] {
  return [
    `link add ${hostVeth} type veth peer ${ifname} netns ${namespace} address ${mac}`,
    `link set ${hostVeth} addrgenmode none`,
    `link set ${hostVeth} up`,
  ];
}

/** Host-namespace devices a plan creates (taps and vEth host ends), for the lab's record. */
export function hostDevices(plan: LabPlan): string[] {
  const out: string[] = [];
  for (const link of plan.links) {
    if (link.transport === "veth" || link.transport === "udp") continue;
    for (const e of link.endpoints as readonly { tap?: string; hostVeth?: string }[]) {
      if (e.tap) out.push(e.tap);
      if (e.hostVeth) out.push(e.hostVeth);
    }
  }
  return out;
}

/**
 * Lines for `tc -batch -` that join each pair with mirred redirects in both
 * directions: every frame that enters one device leaves by the other,
 * untouched (no bridge, so LLDP, LACP and STP pass).
 *
 * @param classifier - `matchall`, or `u32` (`match u32 0 0`) on kernels without it
 */
export function mirredScript(
  pairs: readonly (readonly [string, string])[],
  classifier: "matchall" | "u32",
): string[] {
  const match = classifier === "matchall" ? "matchall" : "u32 match u32 0 0";
  const lines: string[] = [];
  for (const [a, b] of pairs) {
    for (const [from, to] of [
      [a, b],
      [b, a],
    ]) {
      lines.push(
        `qdisc add dev ${from} ingress`,
        `filter add dev ${from} parent ffff: protocol all prio 1 ${match} action mirred egress redirect dev ${to}`,
      );
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

/** Lines for `ip -n <node namespace> -batch -` (or the guest's `ip -batch`): loopback, interfaces up, addresses, routes. */
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
