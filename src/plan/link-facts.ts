/**
 * What kind of network each link is, by the file's rules (netlab docs,
 * "Links", Link Types and Link Roles; netlab's `augment/links.py`):
 *
 * - type: as written; else a link of one node is a `stub`, of more than two
 *   a `lan`; of two a `p2p` link, except (netlab's rule) when a host is on
 *   it, which makes it a `lan`;
 * - role: as written; else `external` (BGP's `ebgp_role`)
 *   when its nodes are in more than one AS, else `stub` when at most one
 *   router is on it. A stub or passive link's IGP interfaces are passive, an
 *   external link runs no IGP, and a stub link's prefix is advertised in BGP.
 */
import type { Topology, TopologyLink, TopologyNode } from "../topology/types.js";

/** A link's type and role. */
export interface LinkFacts {
  readonly type: "p2p" | "lan" | "stub";
  readonly role?: string;
  /** Routers on the link (netlab's `router_count`). */
  readonly routers: number;
  /** Hosts on the link. */
  readonly hosts: number;
}

/** The AS a node speaks BGP in on a link: its interface's `local_as`, its own, else its AS. */
export function bgpAsOn(
  node: TopologyNode,
  endpoint: TopologyLink["endpoints"][number],
): number | undefined {
  if (!node.modules.includes("bgp")) return undefined;
  const intf = endpoint.bgp === false ? undefined : endpoint.bgp;
  return intf?.local_as ?? node.bgp?.local_as ?? node.bgp?.as;
}

/**
 * @returns the facts of each link, by position in `topology.links`
 */
export function linkFacts(topology: Topology): LinkFacts[] {
  const byName = new Map(topology.nodes.map((n) => [n.name, n]));
  const ebgpRole = topology.modules.includes("bgp")
    ? (topology.bgp?.ebgp_role ?? "external")
    : undefined;
  return topology.links.map((link) => {
    const nodes = link.endpoints.map((e) => byName.get(e.node) as TopologyNode);
    const hosts = nodes.filter((n) => n.role === "host").length;
    const routers = nodes.length - hosts;
    const count = link.endpoints.length;
    const type =
      link.type ??
      (count === 1
        ? "stub"
        : count > 2
          ? "lan"
          : topology.format === "netlab" && hosts > 0
            ? "lan"
            : "p2p");
    let role = link.role;
    if (role === undefined) {
      const ases = new Set<number>();
      link.endpoints.forEach((e, i) => {
        const n = nodes[i] as TopologyNode;
        for (const asn of [n.bgp?.as, bgpAsOn(n, e)])
          if (n.modules.includes("bgp") && asn !== undefined) ases.add(asn);
      });
      if (ebgpRole && ases.size > 1) role = ebgpRole;
      else if (routers <= 1) role = "stub";
    }
    return { type, routers, hosts, ...(role !== undefined ? { role } : {}) };
  });
}
