/**
 * Address pools (netlab's defaults unless the topology overrides them):
 * loopback 10.0.0.0/24 (/32 each), p2p 10.1.0.0/16 (/30 each),
 * LAN 172.16.0.0/16 (/24 each). IPv6 pools are off unless given (/64 each,
 * /128 loopbacks).
 */
import type { Diagnostic } from "../errors.js";
import { isNetwork, networkOf, parseCidr } from "../ip.js";
import type { PoolInput } from "./schema.js";
import type { Addressing, Pool } from "./types.js";

const DEFAULTS: Addressing = {
  loopback: { ipv4: "10.0.0.0/24", prefix: 32, prefix6: 128 },
  p2p: { ipv4: "10.1.0.0/16", prefix: 30, prefix6: 64 },
  lan: { ipv4: "172.16.0.0/16", prefix: 24, prefix6: 64 },
};

/**
 * Merges `addressing:` over the defaults.
 *
 * @param input - the topology's `addressing` map, if any
 * @param diagnostics - bad pools are reported here
 */
export function resolveAddressing(
  input:
    | { loopback?: PoolInput | undefined; p2p?: PoolInput | undefined; lan?: PoolInput | undefined }
    | undefined,
  diagnostics: Diagnostic[],
): Addressing {
  const out = { ...DEFAULTS } as { -readonly [K in keyof Addressing]: Pool };
  for (const kind of ["loopback", "p2p", "lan"] as const) {
    const given = input?.[kind];
    if (!given) continue;
    const base = DEFAULTS[kind];
    const pool: { ipv4?: string; ipv6?: string; prefix: number; prefix6: number } = {
      prefix: given.prefix ?? base.prefix,
      prefix6: given.prefix6 ?? base.prefix6,
    };
    for (const family of ["ipv4", "ipv6"] as const) {
      const v = given[family] === undefined ? base[family] : given[family];
      if (v === false || v === undefined) continue;
      const c = parseCidr(v);
      const path = ["addressing", kind, family];
      if (!c || c.family !== family) {
        diagnostics.push({
          code: "bad-prefix",
          message: `${kind} pool "${v}" is not an ${family === "ipv4" ? "IPv4" : "IPv6"} prefix`,
          path,
        });
        continue;
      }
      if (!isNetwork(c)) {
        diagnostics.push({
          code: "bad-prefix",
          message: `${kind} pool "${v}" has host bits set; did you mean ${networkOf(c)}?`,
          path,
        });
        continue;
      }
      const each = family === "ipv4" ? pool.prefix : pool.prefix6;
      if (each < c.length) {
        diagnostics.push({
          code: "bad-prefix",
          message: `${kind} pool ${v} is smaller than the /${each} taken from it per ${kind === "loopback" ? "node" : "link"}`,
          path: ["addressing", kind, family === "ipv4" ? "prefix" : "prefix6"],
        });
        continue;
      }
      pool[family] = v;
    }
    out[kind] = pool;
  }
  return out;
}
