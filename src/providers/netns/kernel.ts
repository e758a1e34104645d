/**
 * Talking to the kernel through iproute2: batches, namespace lists, link
 * state in JSON. Every call goes through an injected {@link Runner}.
 */

import type { Runner } from "../../exec.js";
import { removeHostsFile } from "../hosts.js";
import { mirredScript } from "../iproute2.js";
import type { LiveInterface } from "../node-kind.js";

/**
 * Runs an `ip -batch -` script, in a namespace when `namespace` is given.
 *
 * @param lines - batch lines
 * @param force - keep going after a failing line (`-force`), for teardown
 * @throws {CommandError} on the first failing line unless `force`
 */
export async function ipBatch(
  run: Runner,
  lines: readonly string[],
  namespace?: string,
  force = false,
): Promise<void> {
  if (lines.length === 0) return;
  const args = [
    ...(namespace ? ["-n", namespace] : []),
    ...(force ? ["-force"] : []),
    "-batch",
    "-",
  ];
  await run("ip", args, { input: `${lines.join("\n")}\n`, check: !force });
}

/** Names of every network namespace on the host (`ip -json netns list`). */
export async function listNamespaces(run: Runner): Promise<Set<string>> {
  const r = await run("ip", ["-json", "netns", "list"]);
  const text = r.stdout.trim();
  if (!text) return new Set();
  return new Set((JSON.parse(text) as { name: string }[]).map((n) => n.name));
}

/**
 * Interfaces of a namespace with their addresses and state.
 *
 * @returns an empty list when the namespace is gone
 */
export async function liveInterfaces(run: Runner, namespace: string): Promise<LiveInterface[]> {
  const r = await run("ip", ["-n", namespace, "-json", "address", "show"], { check: false });
  if (r.exitCode !== 0 || !r.stdout.trim()) return [];
  return JSON.parse(r.stdout) as LiveInterface[];
}

/**
 * Runs a `tc -batch -` script in the host namespace.
 *
 * @throws {CommandError} on the first failing line
 */
export async function tcBatch(run: Runner, lines: readonly string[]): Promise<void> {
  if (lines.length === 0) return;
  await run("tc", ["-batch", "-"], { input: `${lines.join("\n")}\n` });
}

/** Names of the host namespace's network devices. */
export async function listHostLinks(run: Runner): Promise<Set<string>> {
  const r = await run("ip", ["-json", "link", "show"]);
  return new Set((JSON.parse(r.stdout || "[]") as { ifname: string }[]).map((l) => l.ifname));
}

/**
 * The classifier for match-everything mirred filters: `matchall` where the
 * kernel has it (cls_matchall), else `u32 match u32 0 0`. Probed on a device
 * of the lab by adding and removing an ingress qdisc with a matchall filter.
 *
 * @param pair - two lab devices that exist in the host namespace
 */
export async function mirredClassifier(
  run: Runner,
  pair: readonly [string, string],
): Promise<"matchall" | "u32"> {
  const [dev, to] = pair;
  await run("tc", ["qdisc", "add", "dev", dev, "ingress"]);
  try {
    const r = await run(
      "tc",
      [
        "filter",
        "add",
        "dev",
        dev,
        "parent",
        "ffff:",
        "protocol",
        "all",
        "prio",
        "1",
        "matchall",
        "action",
        "mirred",
        "egress",
        "redirect",
        "dev",
        to,
      ],
      { check: false },
    );
    return r.exitCode === 0 ? "matchall" : "u32";
  } finally {
    await run("tc", ["qdisc", "del", "dev", dev, "ingress"], { check: false });
  }
}

/**
 * Removes the given namespaces (and with them every interface, bridge and
 * route inside). Names that are already gone are skipped.
 *
 * @returns the namespaces that were deleted
 * @throws {CommandError} when some namespace could not be deleted
 */
export async function destroyNamespaces(
  ctx: { readonly run: Runner },
  namespaces: readonly string[],
): Promise<string[]> {
  const { run } = ctx;
  const present = await listNamespaces(run);
  const doomed = namespaces.filter((n) => present.has(n));
  await ipBatch(
    run,
    doomed.map((n) => `netns delete ${n}`),
    undefined,
    true,
  );
  const left = await listNamespaces(run);
  const stuck = doomed.filter((n) => left.has(n));
  if (stuck.length > 0) {
    await ipBatch(
      run,
      stuck.map((n) => `netns delete ${n}`),
    );
  }
  for (const n of namespaces) await removeHostsFile(n);
  return doomed;
}

/** Joins pairs with mirred redirects, with the classifier this kernel has. */
export async function joinMirred(
  run: Runner,
  pairs: readonly (readonly [string, string])[],
): Promise<void> {
  const first = pairs[0];
  if (first) await tcBatch(run, mirredScript(pairs, await mirredClassifier(run, first)));
}

/**
 * Has the kernel complete the TCP/UDP checksums (and segment) what these
 * interfaces send, by turning their tx checksum offload off (ethtool(8)
 * `-K IF tx off`, which takes TSO with it): one `ip netns exec` per
 * namespace. Runs again harmlessly.
 *
 * @throws {CommandError} when an interface is not there or ethtool fails
 */
export async function checksumsInSoftware(
  run: Runner,
  ends: readonly { readonly namespace?: string; readonly ifname: string }[],
): Promise<void> {
  const byNs = new Map<string, string[]>();
  for (const e of ends)
    byNs.set(e.namespace ?? "", [...(byNs.get(e.namespace ?? "") ?? []), e.ifname]);
  for (const [ns, ifnames] of byNs) {
    const script = ifnames.map((i) => `ethtool -K ${i} tx off >/dev/null`).join(" && ");
    await run(ns ? "ip" : "sh", ns ? ["netns", "exec", ns, "sh", "-c", script] : ["-c", script]);
  }
}

/** How long processes in a stopped namespace get to end before SIGKILL, ms. */
const KILL_GRACE_MS = 2000;

/**
 * Ends every process whose network namespace is `namespace` (ip-netns(8)
 * `pids`): SIGTERM, then SIGKILL to those left after {@link KILL_GRACE_MS}.
 *
 * @returns the PIDs signalled
 */
export async function killNamespaceProcesses(run: Runner, namespace: string): Promise<number[]> {
  const list = async () => {
    const r = await run("ip", ["netns", "pids", namespace], { check: false });
    return r.stdout
      .split(/\s+/)
      .filter((p) => /^\d+$/.test(p))
      .map(Number)
      .filter((p) => p !== process.pid);
  };
  const pids = await list();
  const signal = (sig: NodeJS.Signals, which: readonly number[]) => {
    for (const p of which) {
      try {
        process.kill(p, sig);
      } catch {
        // gone meanwhile
      }
    }
  };
  signal("SIGTERM", pids);
  const deadline = Date.now() + KILL_GRACE_MS;
  let left = pids;
  while (left.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    const now = new Set(await list());
    left = left.filter((p) => now.has(p));
  }
  signal("SIGKILL", left);
  return pids;
}
