/**
 * Address allocation: link subnets from the link's `prefix`, from explicit
 * endpoint addresses, or from the p2p/LAN pools; endpoint addresses from
 * what was written (CIDR or netlab host index) or the next free host;
 * loopbacks from the loopback pool by node position. Clashes are found
 * afterwards by `clashes.ts`.
 */
import type { Diagnostic } from "../errors.js";
import {
  type Cidr,
  contains,
  type Family,
  firstHostIndex,
  hostAt,
  hostCount,
  networkOf,
  overlaps,
  parseCidr,
  stripLength,
  subnetAt,
} from "../ip.js";
import type { AddressRequest, SourcePath, Topology, TopologyLink } from "../topology/types.js";

const FAMILIES: readonly Family[] = ["ipv4", "ipv6"];

/** Addresses decided for one link. */
export interface LinkAddresses {
  readonly subnets: { ipv4?: string; ipv6?: string };
  /** Per endpoint (same order as the link's endpoints). */
  readonly endpoints: { ipv4?: string; ipv6?: string }[];
}

/** Result of {@link allocateAddresses}. */
export interface Allocation {
  /** Indexed by link position in `topology.links`. */
  readonly links: LinkAddresses[];
  /** Indexed by node position in `topology.nodes`. */
  readonly loopbacks: { ipv4?: string; ipv6?: string }[];
}

/**
 * @param topology - validated topology
 * @param diagnostics - exhausted pools and addresses outside their link's subnet are reported here
 */
export function allocateAddresses(topology: Topology, diagnostics: Diagnostic[]): Allocation {
  const explicitSubnets = collectExplicitSubnets(topology);
  const poolCursor = { p2p: { ipv4: 0, ipv6: 0 }, lan: { ipv4: 0, ipv6: 0 } };
  const links = topology.links.map((link) =>
    allocateLink(topology, link, explicitSubnets, poolCursor, diagnostics),
  );
  const loopbacks = topology.nodes.map((node, i) => {
    const out: { ipv4?: string; ipv6?: string } = {};
    for (const family of FAMILIES) {
      const req = node.loopback?.[family];
      if (req === undefined) continue;
      if (req !== true) {
        out[family] = req;
        continue;
      }
      const pool = topology.addressing.loopback[family];
      // `loopback: true` takes from each family whose pool is on.
      if (pool === undefined) continue;
      const c = parseCidr(pool);
      const length =
        family === "ipv4"
          ? topology.addressing.loopback.prefix
          : topology.addressing.loopback.prefix6;
      const subnet = c && subnetAt(c, length, i + 1);
      if (!subnet) {
        diagnostics.push({
          code: "pool-exhausted",
          message: `no ${family} loopback for "${node.name}": the loopback pool ${pool} has no room; widen addressing.loopback.${family}`,
          path: [...node.path, "loopback"],
        });
        continue;
      }
      out[family] = `${stripLength(subnet)}/${length}`;
    }
    return out;
  });
  return { links, loopbacks };
}

interface ExplicitSubnet {
  readonly cidr: Cidr;
  readonly link: number;
}

function collectExplicitSubnets(topology: Topology): ExplicitSubnet[] {
  const out: ExplicitSubnet[] = [];
  for (const link of topology.links) {
    for (const family of FAMILIES) {
      const s = linkSubnetFromInput(link, family);
      if (s) out.push({ cidr: s, link: link.index });
    }
  }
  return out;
}

/** The subnet a link's input fixes: its `prefix`, or the subnet of its first explicit address. */
function linkSubnetFromInput(link: TopologyLink, family: Family): Cidr | undefined {
  const p = link.prefix?.[family];
  if (p !== undefined) return parseCidr(p);
  for (const ep of link.endpoints) {
    const req = ep[family];
    if (typeof req === "string" && req.includes("/")) {
      const c = parseCidr(req);
      if (c) return parseCidr(networkOf(c));
    }
  }
  return undefined;
}

function allocateLink(
  topology: Topology,
  link: TopologyLink,
  explicit: readonly ExplicitSubnet[],
  cursor: Record<"p2p" | "lan", Record<Family, number>>,
  diagnostics: Diagnostic[],
): LinkAddresses {
  const result: LinkAddresses = { subnets: {}, endpoints: link.endpoints.map(() => ({})) };
  const kind = link.type === "lan" ? "lan" : "p2p";
  for (const family of FAMILIES) {
    const wanted = link.endpoints.map((e) => e[family]);
    if (wanted.every((w) => w === false)) continue;
    let subnet = linkSubnetFromInput(link, family);
    if (!subnet) {
      // Only explicit requests (true / host index) use a pool for a family that is off by default.
      const pool = topology.addressing[kind][family];
      if (pool === undefined) {
        if (wanted.some((w) => w === true || typeof w === "number")) {
          diagnostics.push({
            code: "pool-exhausted",
            message: `link asks for ${family} addresses but has no prefix and the ${kind} pool has no ${family}; add "prefix:" to the link or addressing.${kind}.${family}`,
            path: link.path,
          });
        }
        continue;
      }
      subnet = nextPoolSubnet(topology, kind, family, explicit, cursor);
      if (!subnet) {
        diagnostics.push({
          code: "pool-exhausted",
          message: `the ${kind} ${family} pool ${pool} is exhausted at this link; widen addressing.${kind}.${family}`,
          path: link.path,
        });
        continue;
      }
    }
    result.subnets[family] = networkOf(subnet);
    assignHosts(link, family, subnet, result, diagnostics);
  }
  return result;
}

function nextPoolSubnet(
  topology: Topology,
  kind: "p2p" | "lan",
  family: Family,
  explicit: readonly ExplicitSubnet[],
  cursor: Record<"p2p" | "lan", Record<Family, number>>,
): Cidr | undefined {
  const poolText = topology.addressing[kind][family];
  const pool = poolText === undefined ? undefined : parseCidr(poolText);
  if (!pool) return undefined;
  const length =
    family === "ipv4" ? topology.addressing[kind].prefix : topology.addressing[kind].prefix6;
  for (;;) {
    const text = subnetAt(pool, length, cursor[kind][family]++);
    if (text === undefined) return undefined;
    const c = parseCidr(text);
    if (c && !explicit.some((e) => overlaps(e.cidr, c))) return c;
  }
}

function assignHosts(
  link: TopologyLink,
  family: Family,
  subnet: Cidr,
  out: LinkAddresses,
  diagnostics: Diagnostic[],
): void {
  const taken = new Set<bigint>();
  const pending: number[] = [];
  const length = subnet.length;
  link.endpoints.forEach((ep, i) => {
    const req: AddressRequest | undefined = ep[family];
    const path: SourcePath = [...ep.path, family];
    if (req === false) return;
    if (typeof req === "string") {
      const c = parseCidr(req.includes("/") ? req : `${req}/${length}`);
      if (!c) return; // reported by the topology checks
      if (!contains(subnet, c.value) || c.length !== length) {
        diagnostics.push({
          code: "address-outside-prefix",
          message: `${family} ${req} of "${ep.node}" is not in the link's subnet ${networkOf(subnet)}; use an address of that subnet`,
          path,
        });
        return;
      }
      taken.add(c.value);
      (out.endpoints[i] as Record<Family, string>)[family] = `${c.address}/${length}`;
    } else if (typeof req === "number") {
      if (BigInt(req) >= 1n << BigInt(subnet.bits - subnet.length)) {
        diagnostics.push({
          code: "address-outside-prefix",
          message: `host index ${req} of "${ep.node}" does not fit the link's subnet ${networkOf(subnet)}`,
          path,
        });
        return;
      }
      const addr = hostAt(subnet, req);
      const c = parseCidr(addr) as Cidr;
      taken.add(c.value);
      (out.endpoints[i] as Record<Family, string>)[family] = addr;
    } else {
      pending.push(i);
    }
  });
  let next = BigInt(firstHostIndex(subnet));
  const limit = BigInt(firstHostIndex(subnet)) + hostCount(subnet);
  const base = parseCidr(networkOf(subnet)) as Cidr;
  for (const i of pending) {
    while (next < limit && taken.has(base.value + next)) next++;
    if (next >= limit) {
      diagnostics.push({
        code: "pool-exhausted",
        message: `subnet ${networkOf(subnet)} has no free ${family} address left for "${link.endpoints[i]?.node}"; use a larger prefix`,
        path: link.path,
      });
      return;
    }
    (out.endpoints[i] as Record<Family, string>)[family] = hostAt(subnet, next);
    taken.add(base.value + next);
    next++;
  }
}
