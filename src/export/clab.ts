/**
 * `wirelab create --output clab`: a containerlab topology (containerlab
 * docs, "Topology definition") for the namespace part of a lab.
 *
 * - Each namespace node is a `kind: linux` container (image `alpine:3`, any
 *   image with iproute2 works), forwarding as `sysctls`, loopback
 *   addresses and routes as `exec` commands run after deploy.
 * - Each p2p link is an extended `type: veth` link whose endpoints carry the
 *   plan's interface names, MACs and addresses.
 * - Each LAN is a `kind: bridge` node (containerlab expects the Linux bridge
 *   to exist on the host; its name is the link's) with a veth to each member.
 * - VM nodes and the links that reach them are left out, and named in a
 *   comment at the top of the file.
 */
import { Document } from "yaml";
import { kindSpec } from "../plan/kinds/index.js";
import type { LabPlan, NodePlan } from "../plan/types.js";

/** Container image of the linux nodes. */
export const CLAB_IMAGE = "alpine:3";

/**
 * @param plan - the lab's plan
 * @param source - the topology file, named in the header comment
 * @returns the YAML text of `<lab>.clab.yml`
 */
export function clabExport(plan: LabPlan, source: string): string {
  const nodes = new Map(plan.nodes.map((n) => [n.name, n]));
  // Nodes of a kind containerlab can run (namespaces); the rest are named in a comment.
  const inClab = (n: NodePlan) => kindSpec(n.kind).exportTo.clab;
  const isNs = (name: string) => {
    const n = nodes.get(name);
    return n !== undefined && inClab(n);
  };
  const iface = (node: string, name: string) =>
    nodes.get(node)?.interfaces.find((i) => i.ifname === name);
  const endpoint = (node: string, ifname: string) => {
    const i = iface(node, ifname);
    return {
      node,
      interface: ifname,
      ...(i?.mac ? { mac: i.mac } : {}),
      ...(i?.ipv4 ? { ipv4: i.ipv4 } : {}),
      ...(i?.ipv6 ? { ipv6: i.ipv6 } : {}),
    };
  };

  const clabNodes: Record<string, object> = {};
  for (const n of plan.nodes) if (inClab(n)) clabNodes[n.name] = linuxNode(n);
  const links: object[] = [];
  const left: string[] = plan.nodes
    .filter((n) => !inClab(n))
    .map((n) => `node ${n.name} (${kindSpec(n.kind).label})`);
  for (const l of plan.links) {
    if (!l.endpoints.every((e) => isNs(e.node))) {
      left.push(`link ${l.name}`);
      continue;
    }
    if (l.type === "p2p") {
      const [a, b] = l.endpoints;
      if (!a || !b) continue;
      links.push({
        type: "veth",
        endpoints: [endpoint(a.node, a.ifname), endpoint(b.node, b.ifname)],
      });
      continue;
    }
    clabNodes[l.name] = { kind: "bridge" };
    l.endpoints.forEach((e, k) => {
      links.push({
        type: "veth",
        endpoints: [endpoint(e.node, e.ifname), { node: l.name, interface: `eth${k + 1}` }],
      });
    });
  }
  // containerlab's schema wants at least one link when `links` is there.
  const doc = new Document({
    name: plan.lab,
    topology: { nodes: clabNodes, ...(links.length ? { links } : {}) },
  });
  const lans = plan.links.filter((l) => l.type === "lan" && l.endpoints.every((e) => isNs(e.node)));
  doc.commentBefore = [
    ` containerlab topology of wirelab lab "${plan.lab}", from ${source}.`,
    ` Linux nodes run ${CLAB_IMAGE}.`,
    ...(lans.length ? [" LAN bridges must exist on the host first:"] : []),
    ...lans.map((l) => `   ip link add ${l.name} type bridge && ip link set ${l.name} up`),
    ...(left.length ? [` Not included (VMs are not containerlab nodes): ${left.join(", ")}.`] : []),
  ].join("\n");
  return doc.toString({ lineWidth: 0 });
}

function linuxNode(n: NodePlan): object {
  const exec: string[] = [];
  if (n.loopback.ipv4) exec.push(`ip address add ${n.loopback.ipv4} dev lo`);
  if (n.loopback.ipv6) exec.push(`ip address add ${n.loopback.ipv6} dev lo`);
  for (const r of n.routes) {
    const family = r.prefix.includes(":") ? "-6 " : "";
    const hops =
      r.nexthops.length === 1
        ? `via ${r.nexthops[0]?.via} dev ${r.nexthops[0]?.dev}`
        : r.nexthops.map((h) => `nexthop via ${h.via} dev ${h.dev}`).join(" ");
    exec.push(`ip ${family}route replace ${r.prefix} ${hops}`);
  }
  return {
    kind: "linux",
    image: CLAB_IMAGE,
    ...(n.forwarding
      ? { sysctls: { "net.ipv4.ip_forward": 1, "net.ipv6.conf.all.forwarding": 1 } }
      : {}),
    ...(exec.length ? { exec } : {}),
  };
}
