/**
 * BGP for FRR (FRR docs, "BGP"; netlab's `templates/bgp/frr.j2`): the
 * router (no EBGP policy needed, no IPv4 unicast by default, AS paths of
 * equal length as ECMP candidates, router and cluster IDs), each
 * neighbour (unnumbered ones by interface), and per address family the
 * announced networks, the activated neighbours with next hop self, route
 * reflector clients and the communities sent; originated prefixes are
 * held by discard routes.
 */
import type { BgpNeighborPlan, NodePlan } from "../types.js";
import { redistribute } from "./ospf.js";

/** The peer word of a neighbour in a family: its address, else its interface (unnumbered). */
function peerOf(n: BgpNeighborPlan, af: "ipv4" | "ipv6"): string | undefined {
  const a = n[af];
  if (typeof a === "string") return a;
  if (n.local_if !== undefined) return n.local_if;
  // RFC 8950: IPv4 routes over the IPv6 session.
  if (af === "ipv4" && n.ipv4_rfc8950 && typeof n.ipv6 === "string") return n.ipv6;
  return undefined;
}

/** @returns the lines, or none when the node does not run BGP */
export function bgpLines(node: NodePlan): string[] {
  const b = node.protocols?.bgp;
  if (!b) return [];
  const out = [
    `router bgp ${b.as}`,
    " no bgp ebgp-requires-policy",
    " no bgp default ipv4-unicast",
    " bgp default show-hostname",
    " bgp default show-nexthop-hostname",
    " bgp bestpath as-path multipath-relax",
    ` bgp router-id ${b.router_id}`,
  ];
  if (b.rr && b.rr_cluster_id) out.push(` bgp cluster-id ${b.rr_cluster_id}`);
  const declared = new Set<string>();
  for (const af of ["ipv4", "ipv6"] as const) {
    for (const n of b.neighbors) {
      const a = n[af];
      if (typeof a !== "string" && n.local_if === undefined) continue;
      const peer = typeof a === "string" ? a : (n.local_if as string);
      if (declared.has(peer)) continue;
      declared.add(peer);
      out.push(` neighbor ${peer}${peer === n.local_if ? " interface" : ""} remote-as ${n.as}`);
      out.push(` neighbor ${peer} description ${n.name}`);
      if (n.update_source) out.push(` neighbor ${peer} update-source ${n.update_source}`);
      if (n.local_as !== undefined)
        out.push(
          ` neighbor ${peer} local-as ${n.local_as}${n.replace_global_as !== false ? " no-prepend replace-as" : ""}`,
        );
      if (af === "ipv6" && typeof a === "string" && n.ipv4_rfc8950)
        out.push(` neighbor ${peer} capability extended-nexthop`);
    }
  }
  for (const af of ["ipv4", "ipv6"] as const) {
    if (!b[af]) continue;
    out.push(` address-family ${af} unicast`);
    out.push(...redistribute(b.import, af).map((l) => ` ${l}`));
    for (const p of b.advertise[af]) out.push(`  network ${p}`);
    if (af === "ipv4") for (const p of b.originate) out.push(`  network ${p}`);
    const activated = new Set<string>();
    for (const n of b.neighbors) {
      if (!n.activate[af]) continue;
      const peer = peerOf(n, af);
      if (!peer || activated.has(peer)) continue;
      activated.add(peer);
      out.push(`  neighbor ${peer} activate`);
      if (n.next_hop_self)
        out.push(`  neighbor ${peer} next-hop-self${n.next_hop_self === "all" ? " force" : ""}`);
      if (n.rr_client) out.push(`  neighbor ${peer} route-reflector-client`);
      const kinds = b.community[n.type];
      if (kinds) {
        out.push(`  no neighbor ${peer} send-community all`);
        for (const k of kinds) out.push(`  neighbor ${peer} send-community ${k}`);
      }
    }
    out.push(" exit-address-family");
  }
  out.push("exit", "!");
  for (const p of b.originate) out.push(`ip route ${p} Null0`);
  if (b.originate.length) out.push("!");
  return out;
}
