/**
 * Address allocation (netlab docs, "Topology Address Pools" and "Links",
 * Static Addressing; netlab's `augment/addressing.py` and
 * `augment/links.py`). A link's prefixes come from its `prefix` (a
 * prefix, a named prefix, per-family prefixes, `true` for unnumbered,
 * `false` for none), its `unnumbered`, or a pool: its `pool`, else the pool
 * named by its role, else its type's (`p2p`, then `lan`; a stub's `lan`).
 * Interfaces take what they write (an address, a host index, `true` for
 * unnumbered/link-local only, `false` for none), else an address by the
 * pool's or link's `allocation`, else by the file's rules:
 *
 * - netlab's: p2p ends by node name (.1 to the first), LAN hosts by node ID
 *   (`id_based`) when the IDs fit the prefix, else in order (`sequential`);
 *   a pool's subnets are taken in turn, whatever other links write;
 * - wirelab's: in endpoint order, each the first free address; a link
 *   without a prefix takes the subnet of its first written address, and pool
 *   subnets written elsewhere are skipped.
 *
 * Loopbacks: the node ID's subnet of the loopback pool (the network itself
 * for /32 and /128, else its first address). An unnumbered interface lends
 * its node's IPv4 loopback (FRR's unnumbered: the same /32 on the
 * interface). Clashes are found afterwards by `clashes.ts`.
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
import type {
  AddressRequest,
  Allocation as AllocationPolicy,
  Pool,
  SourcePath,
  Topology,
  TopologyLink,
} from "../topology/types.js";
import type { LinkFacts } from "./link-facts.js";

const FAMILIES: readonly Family[] = ["ipv4", "ipv6"];

/** Addresses of one endpoint. */
export interface EndpointAddresses {
  ipv4?: string;
  ipv6?: string;
  /** IPv4 borrowed from the node's loopback (`ipv4` holds it) / IPv6 link-local only. */
  unnumbered?: { ipv4?: true; ipv6?: true };
}

/** Addresses decided for one link. */
export interface LinkAddresses {
  readonly subnets: { ipv4?: string; ipv6?: string };
  /** Per endpoint (same order as the link's endpoints). */
  readonly endpoints: EndpointAddresses[];
}

/** Result of {@link allocateAddresses}. */
export interface Allocation {
  /** Indexed by link position in `topology.links`. */
  readonly links: LinkAddresses[];
  /** Indexed by node position in `topology.nodes`. */
  readonly loopbacks: { ipv4?: string; ipv6?: string }[];
  /** Named prefixes (`prefix:` at the top), those from pools allocated. */
  readonly named: Readonly<Record<string, { ipv4?: string; ipv6?: string }>>;
}

/** What a link's prefix is, per family, before hosts get addresses. */
type FamilyPrefix = { kind: "subnet"; cidr: Cidr } | { kind: "unnumbered" } | { kind: "none" };

/**
 * @param topology - validated topology
 * @param facts - each link's type and role
 * @param ids - each node's ID
 * @param diagnostics - exhausted pools and addresses outside their link's subnet are reported here
 */
export function allocateAddresses(
  topology: Topology,
  facts: readonly LinkFacts[],
  ids: readonly number[],
  diagnostics: Diagnostic[],
): Allocation {
  const pools = new PoolCursors(topology, diagnostics);
  const loopbacks = topology.nodes.map((node, i) =>
    nodeLoopback(topology, node, ids[i] as number, diagnostics),
  );
  const nodeIndex = new Map(topology.nodes.map((n, i) => [n.name, i]));
  const idOf = (name: string) => ids[nodeIndex.get(name) as number] as number;
  const loopbackOf = (name: string) => loopbacks[nodeIndex.get(name) as number] ?? {};
  const explicit = topology.format === "wirelab" ? collectExplicitSubnets(topology) : [];
  const named = new NamedPrefixes(topology, pools, diagnostics);
  // netlab takes the named prefixes' pool subnets first, before any link's.
  const resolved: Record<string, { ipv4?: string; ipv6?: string }> = {};
  for (const name of Object.keys(topology.prefixes)) {
    const p = named.get(name, ["prefix", name]);
    if (p)
      resolved[name] = {
        ...(p.ipv4 ? { ipv4: networkOf(p.ipv4) } : {}),
        ...(p.ipv6 ? { ipv6: networkOf(p.ipv6) } : {}),
      };
  }
  const links = topology.links.map((link, li) => {
    const fact = facts[li] as LinkFacts;
    const result: LinkAddresses = { subnets: {}, endpoints: link.endpoints.map(() => ({})) };
    const prefixes = linkPrefixes(topology, link, fact, pools, named, explicit, diagnostics);
    for (const family of FAMILIES) {
      const p = prefixes.families[family];
      if (p.kind === "subnet") result.subnets[family] = networkOf(p.cidr);
      const policy =
        prefixes.allocation ??
        (topology.format === "netlab" && p.kind === "subnet"
          ? autoPolicy(link, fact, p.cidr, idOf)
          : undefined);
      assignHosts(topology, link, family, p, policy, idOf, loopbackOf, result, diagnostics);
    }
    return result;
  });
  return { links, loopbacks, named: resolved };
}

/** A node's loopback: what it writes, else its ID's subnet of its loopback pool. */
function nodeLoopback(
  topology: Topology,
  node: Topology["nodes"][number],
  id: number,
  diagnostics: Diagnostic[],
): { ipv4?: string; ipv6?: string } {
  const out: { ipv4?: string; ipv6?: string } = {};
  const poolName = node.loopback?.pool ?? "loopback";
  const pool = poolNamed(topology, poolName);
  if (node.loopback?.pool !== undefined && !pool) {
    diagnostics.push({
      code: "bad-value",
      message: `loopback pool "${poolName}" of "${node.name}" is not a pool (pools are: ${poolNames(topology).join(", ")})`,
      path: [...node.path, "loopback", "pool"],
    });
    return out;
  }
  for (const family of FAMILIES) {
    const req = node.loopback?.[family];
    if (req === undefined) continue;
    if (req !== true) {
      out[family] = req;
      continue;
    }
    const text = pool?.[family];
    // `loopback: true` takes from each family whose pool is on.
    if (text === undefined) continue;
    if (text === true) {
      diagnostics.push({
        code: "bad-value",
        message: `pool "${poolName}" is unnumbered; a loopback needs addresses (give the pool an ${family} prefix)`,
        path: ["addressing", poolName, family],
      });
      continue;
    }
    const c = parseCidr(text) as Cidr;
    const length = family === "ipv4" ? (pool as Pool).prefix : (pool as Pool).prefix6;
    const subnet = subnetAt(c, length, id);
    if (!subnet) {
      diagnostics.push({
        code: "pool-exhausted",
        message: `no ${family} loopback for "${node.name}" (id ${id}): the ${poolName} pool ${text} has no room; widen addressing.${poolName}.${family}`,
        path: [...node.path, "loopback"],
      });
      continue;
    }
    const s = parseCidr(subnet) as Cidr;
    out[family] = length === s.bits ? subnet : hostAt(s, 1);
  }
  return out;
}

/** The pool of a name: netlab's own (loopback, p2p, lan, router_id) or the topology's. */
export function poolNamed(topology: Topology, name: string): Pool | undefined {
  const a = topology.addressing;
  if (name === "loopback" || name === "p2p" || name === "lan" || name === "router_id")
    return a[name];
  return Object.hasOwn(a.extra, name) ? a.extra[name] : undefined;
}

function poolNames(topology: Topology): string[] {
  return ["loopback", "p2p", "lan", "router_id", ...Object.keys(topology.addressing.extra)];
}

/** The next subnet of each pool and family (netlab takes them in turn). */
class PoolCursors {
  readonly #next = new Map<string, number>();
  constructor(
    readonly topology: Topology,
    readonly diagnostics: Diagnostic[],
  ) {}

  /**
   * The next subnet of a pool's family, skipping those `avoid` overlaps.
   *
   * @returns undefined when the pool is exhausted
   */
  take(name: string, family: Family, avoid: readonly Cidr[] = []): Cidr | undefined {
    const pool = poolNamed(this.topology, name) as Pool;
    const c = parseCidr(pool[family] as string) as Cidr;
    const length = family === "ipv4" ? pool.prefix : pool.prefix6;
    const key = `${name}/${family}`;
    // netlab skips a pool's first subnet when it is a single address (/32, /128).
    let n = this.#next.get(key) ?? (length === c.bits ? 1 : 0);
    for (;;) {
      const text = subnetAt(c, length, n++);
      if (text === undefined) {
        this.#next.set(key, n);
        return undefined;
      }
      const s = parseCidr(text) as Cidr;
      if (!avoid.some((e) => overlaps(e, s))) {
        this.#next.set(key, n);
        return s;
      }
    }
  }
}

/** Named prefixes (`prefix:` at the top), those with a pool allocated once, on first use. */
class NamedPrefixes {
  readonly #cache = new Map<string, { ipv4?: Cidr; ipv6?: Cidr; allocation?: AllocationPolicy }>();
  constructor(
    readonly topology: Topology,
    readonly pools: PoolCursors,
    readonly diagnostics: Diagnostic[],
  ) {}

  get(
    name: string,
    path: SourcePath,
  ): { ipv4?: Cidr; ipv6?: Cidr; allocation?: AllocationPolicy } | undefined {
    const hit = this.#cache.get(name);
    if (hit) return hit;
    const p = this.topology.prefixes[name];
    if (!p) {
      this.diagnostics.push({
        code: "bad-value",
        message: `"${name}" is neither a prefix (address/length) nor a named prefix${Object.keys(this.topology.prefixes).length ? ` (named prefixes: ${Object.keys(this.topology.prefixes).join(", ")})` : ""}`,
        path,
      });
      return undefined;
    }
    const out: { ipv4?: Cidr; ipv6?: Cidr; allocation?: AllocationPolicy } = {};
    if (p.allocation) out.allocation = p.allocation;
    for (const family of FAMILIES) {
      const text = p[family];
      if (text !== undefined) {
        const c = parseCidr(text);
        if (!c || c.family !== family)
          this.diagnostics.push({
            code: "bad-prefix",
            message: `named prefix ${name}: "${text}" is not an ${family} prefix`,
            path: ["prefix", name, family],
          });
        else out[family] = c;
      } else if (p.pool !== undefined) {
        const pool = poolNamed(this.topology, p.pool);
        if (!pool) {
          this.diagnostics.push({
            code: "bad-value",
            message: `named prefix ${name}: pool "${p.pool}" is not a pool`,
            path: ["prefix", name, "pool"],
          });
          break;
        }
        if (typeof pool[family] === "string") {
          const c = this.pools.take(p.pool, family);
          if (c) out[family] = c;
        }
      }
    }
    this.#cache.set(name, out);
    return out;
  }
}

interface ExplicitSubnet {
  readonly cidr: Cidr;
  readonly link: number;
}

/** Subnets wirelab's files fix by writing them (skipped when taking from a pool). */
function collectExplicitSubnets(topology: Topology): Cidr[] {
  const out: ExplicitSubnet[] = [];
  for (const link of topology.links) {
    for (const family of FAMILIES) {
      const s = linkSubnetFromInput(link, family);
      if (s) out.push({ cidr: s, link: link.index });
    }
  }
  return out.map((e) => e.cidr);
}

/** The subnet a wirelab link's input fixes: its `prefix`, or the subnet of its first written address. */
function linkSubnetFromInput(link: TopologyLink, family: Family): Cidr | undefined {
  const p = link.prefix ? link.prefix[family] : undefined;
  if (typeof p === "string") return parseCidr(p);
  if (p !== undefined || link.prefix === false) return undefined;
  for (const ep of link.endpoints) {
    const req = ep[family];
    if (typeof req === "string" && req.includes("/")) {
      const c = parseCidr(req);
      if (c) return parseCidr(networkOf(c));
    }
  }
  return undefined;
}

/** A link's prefix per family and its allocation policy. */
function linkPrefixes(
  topology: Topology,
  link: TopologyLink,
  fact: LinkFacts,
  pools: PoolCursors,
  named: NamedPrefixes,
  explicit: readonly Cidr[],
  diagnostics: Diagnostic[],
): { families: Record<Family, FamilyPrefix>; allocation?: AllocationPolicy } {
  const none: FamilyPrefix = { kind: "none" };
  const families: Record<Family, FamilyPrefix> = { ipv4: none, ipv6: none };
  if (link.prefix === false) return { families };
  const written = link.prefix;
  if (written && (written.ipv4 !== undefined || written.ipv6 !== undefined)) {
    for (const family of FAMILIES) {
      const v = written[family];
      if (typeof v === "string") {
        const c = parseCidr(v);
        if (c && c.family === family) families[family] = { kind: "subnet", cidr: c };
      } else if (v === true) families[family] = { kind: "unnumbered" };
      else if (v === undefined && topology.format === "wirelab") {
        // wirelab: a family the prefix leaves out is on the subnet of its first written address.
        const c = linkSubnetFromInput({ ...link, prefix: {} }, family);
        if (c) families[family] = { kind: "subnet", cidr: c };
      }
    }
    return { families, ...(written.allocation ? { allocation: written.allocation } : {}) };
  }
  const allocation = written ? written.allocation : undefined;
  if (link.prefixName !== undefined) {
    const p = named.get(link.prefixName, [...link.path, "prefix"]);
    for (const family of FAMILIES) {
      const c = p?.[family];
      if (c) families[family] = { kind: "subnet", cidr: c };
    }
    const a = allocation ?? p?.allocation;
    return { families, ...(a ? { allocation: a } : {}) };
  }
  if (link.unnumbered)
    return { families: { ipv4: { kind: "unnumbered" }, ipv6: { kind: "unnumbered" } } };
  // wirelab: a link that writes an address is on that address's subnet.
  if (topology.format === "wirelab") {
    for (const family of FAMILIES) {
      const c = linkSubnetFromInput(link, family);
      if (c) families[family] = { kind: "subnet", cidr: c };
    }
  }
  const poolName = choosePool(topology, link, fact, diagnostics);
  if (poolName === undefined) return { families };
  const pool = poolNamed(topology, poolName) as Pool;
  if (pool.unnumbered)
    return { families: { ipv4: { kind: "unnumbered" }, ipv6: { kind: "unnumbered" } } };
  for (const family of FAMILIES) {
    if (families[family].kind !== "none") continue;
    const v = pool[family];
    if (v === true) {
      families[family] = { kind: "unnumbered" };
      continue;
    }
    if (v === undefined) {
      // Only explicit requests use a pool for a family that is off.
      if (
        topology.format === "wirelab" &&
        link.endpoints.some((e) => typeof e[family] === "number")
      ) {
        diagnostics.push({
          code: "pool-exhausted",
          message: `link asks for ${family} addresses but has no prefix and the ${poolName} pool has no ${family}; add "prefix:" to the link or addressing.${poolName}.${family}`,
          path: link.path,
        });
      }
      continue;
    }
    // wirelab's links whose ends all say "no address" take nothing from the pool.
    if (topology.format === "wirelab" && link.endpoints.every((e) => e[family] === false)) continue;
    const c = pools.take(poolName, family, explicit);
    if (!c) {
      diagnostics.push({
        code: "pool-exhausted",
        message: `the ${poolName} ${family} pool ${v} is exhausted at this link; widen addressing.${poolName}.${family}`,
        path: link.path,
      });
      continue;
    }
    families[family] = { kind: "subnet", cidr: c };
  }
  const a = allocation ?? pool.allocation;
  return { families, ...(a ? { allocation: a } : {}) };
}

/** The pool a link takes from: its `pool`, else its role's (if such a pool exists), else its type's. */
function choosePool(
  topology: Topology,
  link: TopologyLink,
  fact: LinkFacts,
  diagnostics: Diagnostic[],
): string | undefined {
  if (link.pool !== undefined) {
    if (poolNamed(topology, link.pool)) return link.pool;
    diagnostics.push({
      code: "bad-value",
      message: `pool "${link.pool}" is not an address pool (pools are: ${poolNames(topology).join(", ")})`,
      path: [...link.path, "pool"],
    });
    return undefined;
  }
  const candidates = [
    ...(fact.role !== undefined ? [fact.role] : []),
    ...(fact.type === "p2p" ? ["p2p", "lan"] : fact.type === "stub" ? ["stub", "lan"] : ["lan"]),
  ];
  return candidates.find((c) => poolNamed(topology, c) !== undefined);
}

/**
 * netlab's allocation policy for a prefix (netlab's `get_prefix_IPAM_policy`):
 * p2p links number their ends; a prefix that holds every node ID numbers
 * hosts by ID; a smaller one numbers them in order; a /32 of one node is
 * its own address.
 */
function autoPolicy(
  link: TopologyLink,
  fact: LinkFacts,
  cidr: Cidr,
  idOf: (node: string) => number,
): AllocationPolicy | "loopback" | undefined {
  const size = 1n << BigInt(cidr.bits - cidr.length);
  if (fact.type === "p2p") return size > 1n ? "p2p" : undefined;
  if (size === 2n && link.endpoints.length === 2) return "p2p";
  if (size === 1n) return link.endpoints.length === 1 ? "loopback" : undefined;
  const usable = size > 2n ? size - 2n : size;
  const maxId = Math.max(...link.endpoints.map((e) => idOf(e.node)));
  if (BigInt(maxId) <= usable) return "id_based";
  if (BigInt(link.endpoints.length) <= usable) return "sequential";
  return undefined;
}

function assignHosts(
  topology: Topology,
  link: TopologyLink,
  family: Family,
  prefix: FamilyPrefix,
  policy: AllocationPolicy | "loopback" | undefined,
  idOf: (node: string) => number,
  loopbackOf: (node: string) => { ipv4?: string; ipv6?: string },
  out: LinkAddresses,
  diagnostics: Diagnostic[],
): void {
  const set = (i: number, v: string) => {
    (out.endpoints[i] as EndpointAddresses)[family] = v;
  };
  const unnumbered = (i: number, node: string) => {
    const ep = out.endpoints[i] as EndpointAddresses;
    ep.unnumbered = { ...ep.unnumbered, [family]: true };
    // An unnumbered IPv4 interface lends its node's loopback (FRR's unnumbered interfaces).
    const lo = loopbackOf(node).ipv4;
    if (family === "ipv4" && lo) ep.ipv4 = `${stripLength(lo)}/32`;
  };
  const subnet = prefix.kind === "subnet" ? prefix.cidr : undefined;
  const length = subnet?.length;
  const taken = new Set<bigint>();
  const pending: number[] = [];
  link.endpoints.forEach((ep, i) => {
    const req: AddressRequest | undefined = ep[family];
    const path: SourcePath = [...ep.path, family];
    if (req === false) return;
    if (req === true || (req === undefined && prefix.kind === "unnumbered")) {
      unnumbered(i, ep.node);
      return;
    }
    if (typeof req === "string") {
      const c = parseCidr(
        req.includes("/") ? req : `${req}/${length ?? (family === "ipv4" ? 32 : 128)}`,
      );
      if (!c) return; // reported by the topology checks
      // wirelab's addresses must be on the link's subnet; netlab's may use any mask.
      if (
        topology.format === "wirelab" &&
        subnet &&
        (!contains(subnet, c.value) || c.length !== length)
      ) {
        diagnostics.push({
          code: "address-outside-prefix",
          message: `${family} ${req} of "${ep.node}" is not in the link's subnet ${networkOf(subnet)}; use an address of that subnet`,
          path,
        });
        return;
      }
      if (!req.includes("/") && !subnet) {
        diagnostics.push({
          code: "bad-value",
          message: `${family} ${req} of "${ep.node}" has no prefix length and the link no prefix to take one from; write it as address/length`,
          path,
        });
        return;
      }
      if (subnet && contains(subnet, c.value)) taken.add(c.value);
      set(i, `${c.address}/${c.length}`);
      return;
    }
    if (!subnet) return;
    if (typeof req === "number") {
      if (BigInt(req) >= 1n << BigInt(subnet.bits - subnet.length)) {
        diagnostics.push({
          code: "address-outside-prefix",
          message: `host index ${req} of "${ep.node}" does not fit the link's subnet ${networkOf(subnet)}`,
          path,
        });
        return;
      }
      const addr = hostAt(subnet, req);
      taken.add((parseCidr(addr) as Cidr).value);
      set(i, addr);
      return;
    }
    pending.push(i);
  });
  if (!subnet || pending.length === 0) return;
  const base = parseCidr(networkOf(subnet)) as Cidr;
  const at = (i: number, n: number | bigint): boolean => {
    if (BigInt(n) >= 1n << BigInt(subnet.bits - subnet.length)) {
      diagnostics.push({
        code: "pool-exhausted",
        message: `subnet ${networkOf(subnet)} has no ${family} address ${n} for "${link.endpoints[i]?.node}"; use a larger prefix`,
        path: link.path,
      });
      return false;
    }
    set(i, hostAt(subnet, n));
    return true;
  };
  const start = subnet.bits - subnet.length <= 1 ? 0 : 1;
  switch (policy) {
    case "loopback":
      for (const i of pending) set(i, `${stripLength(networkOf(subnet))}/${subnet.bits}`);
      return;
    case "id_based":
      for (const i of pending) at(i, idOf((link.endpoints[i] as { node: string }).node));
      return;
    case "p2p": {
      // netlab numbers a p2p link's ends in the order of their node names.
      const order = link.endpoints
        .map((e, i) => ({ node: e.node, i }))
        .sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : a.i - b.i));
      order.forEach((o, k) => {
        if (pending.includes(o.i)) at(o.i, k + start);
      });
      return;
    }
    case "sequential":
      if (topology.format === "netlab") {
        link.endpoints.forEach((_, k) => {
          if (pending.includes(k)) at(k, k + start);
        });
        return;
      }
  }
  // wirelab: each in endpoint order takes the first free address.
  let next = BigInt(firstHostIndex(subnet));
  const limit = BigInt(firstHostIndex(subnet)) + hostCount(subnet);
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
    set(i, hostAt(subnet, next));
    taken.add(base.value + next);
    next++;
  }
}
