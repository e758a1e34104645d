/**
 * Address pools (netlab's defaults unless the topology overrides them;
 * netlab docs, "Topology Address Pools"): loopback 10.0.0.0/24 (/32 each),
 * p2p 10.1.0.0/16 (/30 each), LAN 172.16.0.0/16 (/24 each), router IDs
 * 10.0.0.0/24; `l2only` has no prefixes. IPv6 pools are off unless given
 * (/64 each; wirelab's loopbacks /128, netlab's /64). A pool the topology
 * adds takes /32 (a name with "loopback") or /24 unless it says.
 */
import type { Diagnostic } from "../errors.js";
import { isNetwork, networkOf, parseCidr } from "../ip.js";
import type { PoolInput } from "./schema.js";
import type { Addressing, Pool } from "./types.js";

const BUILT_IN = {
  loopback: { ipv4: "10.0.0.0/24", prefix: 32 },
  p2p: { ipv4: "10.1.0.0/16", prefix: 30 },
  lan: { ipv4: "172.16.0.0/16", prefix: 24 },
  router_id: { ipv4: "10.0.0.0/24", prefix: 32 },
  l2only: { prefix: 24 },
  vrf_loopback: { ipv4: "10.2.0.0/24", prefix: 32 },
} as const;

/** netlab's pool wirelab has no use for: management addresses (wirelab has its own). */
const IGNORED = new Set(["mgmt"]);

/**
 * Merges `addressing:` over the defaults.
 *
 * @param input - the topology's `addressing` map, if any
 * @param format - whose IPv6 loopback length applies (netlab's /64, wirelab's /128)
 * @param diagnostics - bad pools are reported here
 */
export function resolveAddressing(
  input: Readonly<Record<string, PoolInput | null>> | undefined,
  diagnostics: Diagnostic[],
  format: "netlab" | "wirelab" = "wirelab",
): Addressing {
  const pools: Record<string, Pool> = {};
  const names = new Set([...Object.keys(BUILT_IN), ...Object.keys(input ?? {})]);
  for (const name of names) {
    if (IGNORED.has(name)) continue;
    const base: { ipv4?: string; prefix: number } = (
      BUILT_IN as Record<string, { ipv4?: string; prefix: number }>
    )[name] ?? {
      prefix: name.includes("loopback") ? 32 : 24,
    };
    const given = input?.[name] ?? undefined;
    const loopbackV6 = name.includes("loopback") && format === "wirelab" ? 128 : 64;
    const pool: { -readonly [K in keyof Pool]: Pool[K] } = {
      prefix: given?.prefix ?? base.prefix,
      prefix6: given?.prefix6 ?? loopbackV6,
    };
    if (given?.allocation) pool.allocation = given.allocation;
    if (given?.unnumbered) pool.unnumbered = true;
    for (const family of ["ipv4", "ipv6"] as const) {
      const v =
        given?.[family] === undefined ? (family === "ipv4" ? base.ipv4 : undefined) : given[family];
      if (v === false || v === undefined) continue;
      const path = ["addressing", name, family];
      if (v === true) {
        pool[family] = true;
        continue;
      }
      const c = parseCidr(v);
      if (!c || c.family !== family) {
        diagnostics.push({
          code: "bad-prefix",
          message: `${name} pool "${v}" is not an ${family === "ipv4" ? "IPv4" : "IPv6"} prefix`,
          path,
        });
        continue;
      }
      if (!isNetwork(c)) {
        diagnostics.push({
          code: "bad-prefix",
          message: `${name} pool "${v}" has host bits set; did you mean ${networkOf(c)}?`,
          path,
        });
        continue;
      }
      const each = family === "ipv4" ? pool.prefix : pool.prefix6;
      if (each < c.length) {
        diagnostics.push({
          code: "bad-prefix",
          message: `${name} pool ${v} is smaller than the /${each} taken from it per ${name.includes("loopback") ? "node" : "link"}`,
          path: ["addressing", name, family === "ipv4" ? "prefix" : "prefix6"],
        });
        continue;
      }
      pool[family] = v;
    }
    // An unnumbered pool's interfaces take their families from the node's loopback.
    if (pool.unnumbered) {
      delete pool.ipv4;
      delete pool.ipv6;
    }
    pools[name] = pool;
  }
  const { loopback, p2p, lan, router_id, ...extra } = pools as Record<string, Pool> & {
    loopback: Pool;
    p2p: Pool;
    lan: Pool;
    router_id: Pool;
  };
  return { loopback, p2p, lan, router_id, extra };
}
