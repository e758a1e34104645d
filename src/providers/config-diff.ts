/**
 * The iproute2 lines that change a running node from one plan of it to the
 * next in place (ip(8)): loopback and interface addresses removed and
 * added, routes deleted and replaced. Pure. Interfaces made new in the same
 * change get their whole configuration from the lines that wire them
 * (`iproute2.ts` `interfaceLines`) and are left out here.
 */
import type { NodePlan, RoutePlan } from "../plan/types.js";
import { routeLine } from "./iproute2.js";

/** What of a node's configuration changes, as `ip -batch` lines. */
export interface ConfigChange {
  /** Run first, failures ignored (`-force`): what the kernel may have dropped already. */
  readonly remove: readonly string[];
  /** Run after, each must succeed. */
  readonly add: readonly string[];
}

/**
 * @param before - the node as it runs
 * @param after - the node as it is to run (same name and kind)
 * @param fresh - its interfaces that are new in this change (wired with their whole configuration)
 */
export function configChange(
  before: NodePlan,
  after: NodePlan,
  fresh: ReadonlySet<string>,
): ConfigChange {
  const remove: string[] = [];
  const add: string[] = [];
  // Deleting an address takes the kernel's routes through its subnet with it: those are set again.
  const readdressed = new Set<string>();
  const addresses = (
    dev: string,
    a: readonly (string | undefined)[],
    b: readonly (string | undefined)[],
    nodad: boolean,
  ) => {
    for (const x of a)
      if (x && !b.includes(x)) {
        remove.push(`address del ${x} dev ${dev}`);
        readdressed.add(dev);
      }
    for (const x of b)
      if (x && !a.includes(x))
        add.push(`address add ${x} dev ${dev}${nodad && x.includes(":") ? " nodad" : ""}`);
  };
  addresses(
    "lo",
    [before.loopback.ipv4, before.loopback.ipv6],
    [after.loopback.ipv4, after.loopback.ipv6],
    false,
  );
  for (const i of after.interfaces) {
    if (fresh.has(i.ifname)) continue;
    const old = before.interfaces.find((x) => x.ifname === i.ifname);
    if (!old) continue;
    addresses(i.ifname, [old.ipv4, old.ipv6], [i.ipv4, i.ipv6], true);
  }
  const key = (r: RoutePlan) => JSON.stringify(r);
  const kept = new Set(after.routes.map(key));
  const had = new Set(before.routes.map(key));
  const prefixes = new Set(after.routes.map((r) => r.prefix));
  for (const r of before.routes)
    if (!kept.has(key(r)) && !prefixes.has(r.prefix)) remove.push(`route del ${r.prefix}`);
  for (const r of after.routes) {
    const again = r.nexthops.some((h) => fresh.has(h.dev) || readdressed.has(h.dev));
    if (!had.has(key(r)) || again) add.push(routeLine("replace", r));
  }
  return { remove, add };
}
