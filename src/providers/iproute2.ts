/**
 * wirelab's kernel objects and node configuration in iproute2's batch
 * language (`ip -batch -`, `tc -batch -`; ip(8), tc(8)). Pure: the same plan
 * gives the same lines. Used by the netns provider, by VMs (which run the
 * same node script at boot) and by the script exporter.
 */
import { namespaceOf } from "../plan/kinds/index.js";
import { transportOf } from "../plan/transports/index.js";
import type { KernelObject, VethEnd } from "../plan/transports/types.js";
import type { InterfacePlan, LabPlan, NodePlan, RoutePlan } from "../plan/types.js";
import { PlanView } from "../plan/view.js";

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

/** Every kernel object of a plan, link by link, in creation order. */
export function kernelObjects(plan: LabPlan): KernelObject[] {
  const view = new PlanView(plan);
  return plan.links.flatMap((l) => transportOf(l).kernelObjects(l, view));
}

/** Every namespace a plan creates, lab namespace first. */
export function planNamespaces(plan: LabPlan): string[] {
  const nodes = plan.nodes.flatMap((n) => {
    const ns = namespaceOf(n);
    return ns ? [ns] : [];
  });
  return [...(plan.labNamespace ? [plan.labNamespace] : []), ...nodes];
}

/** Devices a plan creates in the host's namespace (taps, vEth host ends), for the lab's record. */
export function hostDevices(plan: LabPlan): string[] {
  return kernelObjects(plan).flatMap((o) =>
    o.type === "tap"
      ? [o.name]
      : o.type === "veth"
        ? o.ends.filter(inHost).map((e) => e.ifname)
        : [],
  );
}

/** Pairs of host devices joined by tc mirred, link by link. */
export function mirredPairs(plan: LabPlan): (readonly [string, string])[] {
  return plan.links.flatMap((l) => transportOf(l).mirredPairs(l));
}

const inHost = (e: VethEnd) => e.namespace === undefined;

/** vEth ends of a plan that complete their checksums in software ({@link VethEnd.checksum}). */
export function softwareChecksumEnds(plan: LabPlan): { namespace?: string; ifname: string }[] {
  return kernelObjects(plan).flatMap((o) =>
    o.type === "veth"
      ? o.ends
          .filter((e) => e.checksum === "software")
          .map((e) => ({ ...(e.namespace ? { namespace: e.namespace } : {}), ifname: e.ifname }))
      : [],
  );
}

/** Lines for `ip -batch -` in the host's namespace that create one object. */
export function objectLines(o: KernelObject): string[] {
  switch (o.type) {
    case "tap":
      return [`tuntap add dev ${o.name} mode tap`, `link set ${o.name} up`];
    case "bridge":
      return [`link add ${o.name} netns ${o.namespace} type bridge ${BRIDGE_OPTIONS.join(" ")}`];
    case "veth": {
      const [a, b] = o.ends;
      const end = (e: VethEnd) =>
        `${e.ifname}${e.namespace ? ` netns ${e.namespace}` : ""}${e.mac ? ` address ${e.mac}` : ""}`;
      // A host end gets no IPv6 link-local address: the host itself never sends on it.
      const host = [a, b]
        .filter(inHost)
        .flatMap((e) => [`link set ${e.ifname} addrgenmode none`, `link set ${e.ifname} up`]);
      return [`link add ${end(a)} type veth peer ${end(b)}`, ...host];
    }
  }
}

/** Lines for `ip -batch -` in the host: the lab's namespaces, then every kernel object. */
export function hostScript(plan: LabPlan): string[] {
  return [
    ...planNamespaces(plan).map((ns) => `netns add ${ns}`),
    ...kernelObjects(plan).flatMap(objectLines),
  ];
}

/** Lines that put ports into a bridge and bring them up, in the bridge's namespace. */
export function bridgePortLines(bridge: string, ports: readonly string[]): string[] {
  return ports.flatMap((p) => [
    `link set ${p} addrgenmode none`,
    `link set ${p} master ${bridge}`,
    `link set ${p} up`,
  ]);
}

/**
 * Lines for `ip -n NS -batch -` per namespace that holds bridges (the lab
 * namespace): bridges and ports up, no IPv6 link-local chatter.
 */
export function bridgeScripts(plan: LabPlan): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const o of kernelObjects(plan)) {
    if (o.type !== "bridge") continue;
    const lines = out.get(o.namespace) ?? [];
    lines.push(
      `link set ${o.name} addrgenmode none`,
      ...bridgePortLines(o.name, o.ports),
      `link set ${o.name} up`,
    );
    out.set(o.namespace, lines);
  }
  return out;
}

/**
 * Lines for `tc -batch -` that join each pair with mirred redirects in both
 * directions: every frame that enters one device leaves by the other,
 * untouched (tc-mirred(8)).
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

/**
 * A node's own configuration, for `ip -n NS -batch -` (or the guest's
 * `ip -batch`): loopback, interfaces up, addresses, routes.
 */
export function nodeScript(node: NodePlan): string[] {
  const lines = ["link set lo up"];
  if (node.loopback.ipv4) lines.push(`address add ${node.loopback.ipv4} dev lo`);
  if (node.loopback.ipv6) lines.push(`address add ${node.loopback.ipv6} dev lo`);
  for (const i of node.interfaces) {
    lines.push(`link set ${i.ifname} up`);
    if (i.ipv4) lines.push(`address add ${i.ipv4} dev ${i.ifname}`);
    // nodad: the address is usable at once; the plan guarantees it is unique.
    if (i.ipv6) lines.push(`address add ${i.ipv6} dev ${i.ifname} nodad`);
  }
  for (const r of node.routes) lines.push(routeLine("add", r));
  return lines;
}

/** One interface of a node back up with its addresses, and the node's routes through it. */
export function interfaceLines(node: NodePlan, i: InterfacePlan): string[] {
  const lines = [`link set ${i.ifname} up`];
  if (i.ipv4) lines.push(`address add ${i.ipv4} dev ${i.ifname}`);
  if (i.ipv6) lines.push(`address add ${i.ipv6} dev ${i.ifname} nodad`);
  for (const r of node.routes) {
    if (!r.nexthops.some((h) => h.dev === i.ifname)) continue;
    lines.push(routeLine("replace", r));
  }
  return lines;
}

/** One route as a batch line: `route add|replace PREFIX via … dev …` (several nexthops: ECMP). */
export function routeLine(verb: "add" | "replace", r: RoutePlan): string {
  return `route ${verb} ${r.prefix} ${nexthops(r.nexthops)}`;
}

function nexthops(hops: readonly { via: string; dev: string }[]): string {
  return hops.length === 1
    ? `via ${hops[0]?.via} dev ${hops[0]?.dev}`
    : hops.map((h) => `nexthop via ${h.via} dev ${h.dev}`).join(" ");
}

/** `sysctl` arguments that set forwarding on or off (run inside the node's namespace). */
export function forwardingSysctl(on: boolean): string[] {
  const v = on ? "1" : "0";
  return ["-qw", `net.ipv4.ip_forward=${v}`, `net.ipv6.conf.all.forwarding=${v}`];
}
