/**
 * Keeping the host's neighbour tables from overflowing. Linux keeps one ARP
 * table and one NDISC table for every network namespace together, and
 * refuses new entries beyond `gc_thresh3` (1,024 by default; entries newer
 * than 5 s cannot be reclaimed): "neighbour: arp_cache: neighbor table
 * overflow!" and a ping that gets no reply (ip-sysctl.rst, `neigh/default/`).
 * Pinging every neighbour on a 100-node LAN needs 9,900 entries in the
 * namespaces, so the tests run in waves that fit half of the room left,
 * and the namespaces a wave touched have their tables flushed before the
 * next.
 */
import { readFileSync } from "node:fs";
import type { ValidationTest } from "./tests.js";

/** Room for new entries per family. */
export interface NeighbourBudget {
  readonly ipv4: number;
  readonly ipv6: number;
}

/** The least room a wave gets, whatever the tables hold. */
const MIN_BUDGET = 64;

/**
 * Half of what the host's tables can still take: `gc_thresh3` less the
 * entries there now (`/proc/net/stat/{arp,ndisc}_cache`, first column, hex).
 */
export function hostNeighbourBudget(): NeighbourBudget {
  const room = (sysctl: string, stat: string) => {
    const limit = readNumber(() => Number(readFileSync(sysctl, "utf8")), 1024);
    const used = readNumber(
      () => Number.parseInt(readFileSync(stat, "utf8").split("\n")[1]?.split(/\s+/)[0] ?? "", 16),
      0,
    );
    return Math.max(MIN_BUDGET, Math.floor((limit - used) / 2));
  };
  return {
    ipv4: room("/proc/sys/net/ipv4/neigh/default/gc_thresh3", "/proc/net/stat/arp_cache"),
    ipv6: room("/proc/sys/net/ipv6/neigh/default/gc_thresh3", "/proc/net/stat/ndisc_cache"),
  };
}

function readNumber(read: () => number, fallback: number): number {
  try {
    const n = read();
    return Number.isFinite(n) ? n : fallback;
  } catch {
    return fallback;
  }
}

/**
 * Splits tests into waves whose new host neighbour entries fit the budget:
 * a test adds one entry in its source if that node is in the host kernel (a
 * namespace) and one in its target node if that is. Tests keep their order.
 *
 * @param inHost - whether a node's neighbour table is the host kernel's
 * @returns waves of test indexes
 */
export function planWaves(
  tests: readonly ValidationTest[],
  inHost: (node: string) => boolean,
  budget: NeighbourBudget,
): number[][] {
  const cost = (t: ValidationTest) =>
    (inHost(t.from) ? 1 : 0) + (t.targetNode !== undefined && inHost(t.targetNode) ? 1 : 0);
  const waves: number[][] = [];
  let wave: number[] = [];
  const used = { ipv4: 0, ipv6: 0 };
  tests.forEach((t, i) => {
    const c = cost(t);
    if (wave.length > 0 && used[t.family] + c > budget[t.family]) {
      waves.push(wave);
      wave = [];
      used.ipv4 = 0;
      used.ipv6 = 0;
    }
    wave.push(i);
    used[t.family] += c;
  });
  if (wave.length) waves.push(wave);
  return waves;
}
