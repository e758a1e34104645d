/**
 * Address conflicts in a planned lab: one address on two interfaces, or two
 * links on overlapping subnets. Each diagnostic names both places.
 */
import type { Diagnostic } from "../errors.js";
import { type Cidr, networkOf, parseCidr, stripLength } from "../ip.js";
import type { SourcePath, Topology, TopologyLink } from "../topology/types.js";
import type { LinkAddresses } from "./addresses.js";

const FAMILIES = ["ipv4", "ipv6"] as const;

/**
 * @param topology - the topology the addresses were allocated for
 * @param links - allocated addresses per link (same order as `topology.links`)
 * @param loopbacks - allocated loopbacks per node (same order as `topology.nodes`)
 * @param diagnostics - clashes are appended here
 */
export function findClashes(
  topology: Topology,
  links: readonly LinkAddresses[],
  loopbacks: readonly { ipv4?: string; ipv6?: string }[],
  diagnostics: Diagnostic[],
): void {
  const owners = new Map<string, { what: string; path: SourcePath }>();
  const note = (cidr: string, what: string, path: SourcePath): void => {
    const addr = stripLength(cidr);
    const first = owners.get(addr);
    if (first) {
      diagnostics.push({
        code: "address-clash",
        message: `address ${addr} is given to ${what} and also to ${first.what}; give each interface its own address`,
        path,
        related: first.path,
      });
    } else owners.set(addr, { what, path });
  };
  topology.nodes.forEach((node, i) => {
    for (const family of FAMILIES) {
      const a = loopbacks[i]?.[family];
      if (a) note(a, `the loopback of "${node.name}"`, [...node.path, "loopback"]);
    }
  });
  topology.links.forEach((link, li) => {
    link.endpoints.forEach((ep, ei) => {
      for (const family of FAMILIES) {
        const e = links[li]?.endpoints[ei];
        // An unnumbered interface lends its node's loopback: not a second owner.
        if (e?.unnumbered?.[family]) continue;
        const a = e?.[family];
        const explicit = typeof ep[family] === "string" || typeof ep[family] === "number";
        if (a)
          note(
            a,
            `"${ep.node}" on link ${link.index + 1}`,
            explicit ? [...ep.path, family] : link.path,
          );
      }
    });
  });
  // Two links on one subnet would make routing ambiguous. Sort by start, then sweep: O(n log n).
  const subnets: { cidr: Cidr; start: bigint; end: bigint; link: TopologyLink }[] = [];
  topology.links.forEach((link, li) => {
    for (const family of FAMILIES) {
      const s = links[li]?.subnets[family];
      const c = s === undefined ? undefined : parseCidr(s);
      if (!c) continue;
      const span = (1n << BigInt(c.bits - c.length)) - 1n;
      const start = (c.family === "ipv6" ? 1n << 128n : 0n) + c.value;
      subnets.push({ cidr: c, start, end: start + span, link });
    }
  });
  subnets.sort((a, b) =>
    a.start < b.start ? -1 : a.start > b.start ? 1 : a.link.index - b.link.index,
  );
  let widest: (typeof subnets)[number] | undefined;
  for (const cur of subnets) {
    if (widest && cur.start <= widest.end) {
      const [first, second] = widest.link.index < cur.link.index ? [widest, cur] : [cur, widest];
      diagnostics.push({
        code: "address-clash",
        message: `subnet ${networkOf(second.cidr)} of link ${second.link.index + 1} overlaps ${networkOf(first.cidr)} of link ${first.link.index + 1}; give each link its own subnet`,
        path: second.link.path,
        related: first.link.path,
      });
    }
    if (!widest || cur.end > widest.end) widest = cur;
  }
}
