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
 * - A router (`device: frr`) runs FRR's own image ({@link CLAB_FRR_IMAGE})
 *   with its `/etc/frr` files bound from `<node>/` next to the topology
 *   (containerlab's FRR example does the same), written by `create`.
 * - A node's `exec:` lines follow wirelab's own (containerlab runs `exec`
 *   after deploy, in order).
 * - VM nodes and the links that reach them are left out, and named in a
 *   comment at the top of the file.
 */
import { Document } from "yaml";
import { kindSpec } from "../plan/kinds/index.js";
import type { LabPlan, NodePlan } from "../plan/types.js";

/** Container image of the linux nodes. */
export const CLAB_IMAGE = "alpine:3";

/** Container image of the routers: FRRouting's own, the version Debian 12 ships. */
export const CLAB_FRR_IMAGE = "quay.io/frrouting/frr:8.4.1";

/** A router's files in `/etc/frr`, by name, as {@link clabRouterFiles} binds them. */
export type RouterTexts = Readonly<Record<string, string>>;

/**
 * The files `create` writes next to the topology for each router, by path
 * relative to it (`<node>/<file>`).
 */
export function clabRouterFiles(routers: ReadonlyMap<string, RouterTexts>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [node, files] of routers)
    for (const [name, text] of Object.entries(files)) out[`${node}/${name}`] = text;
  return out;
}

/**
 * @param plan - the lab's plan
 * @param source - the topology file, named in the header comment
 * @param routers - each router's `/etc/frr` files (`providers/router-files.ts`)
 * @returns the YAML text of `<lab>.clab.yml`
 */
export function clabExport(
  plan: LabPlan,
  source: string,
  routers: ReadonlyMap<string, RouterTexts> = new Map(),
): string {
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
  for (const n of plan.nodes) if (inClab(n)) clabNodes[n.name] = linuxNode(n, routers.get(n.name));
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
    ` Linux nodes run ${CLAB_IMAGE}${routers.size ? `, routers ${CLAB_FRR_IMAGE} with their files in <node>/` : ""}.`,
    ...(lans.length ? [" LAN bridges must exist on the host first:"] : []),
    ...lans.map((l) => `   ip link add ${l.name} type bridge && ip link set ${l.name} up`),
    ...(left.length ? [` Not included (VMs are not containerlab nodes): ${left.join(", ")}.`] : []),
  ].join("\n");
  return doc.toString({ lineWidth: 0 });
}

function linuxNode(n: NodePlan, router: RouterTexts | undefined): object {
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
  exec.push(...(n.exec ?? []));
  return {
    kind: "linux",
    image: router ? CLAB_FRR_IMAGE : CLAB_IMAGE,
    ...(router ? { binds: Object.keys(router).map((f) => `${n.name}/${f}:/etc/frr/${f}`) } : {}),
    ...(n.forwarding
      ? { sysctls: { "net.ipv4.ip_forward": 1, "net.ipv6.conf.all.forwarding": 1 } }
      : {}),
    ...(exec.length ? { exec } : {}),
  };
}
