/**
 * FRR in a namespace node, run by the host's Debian package. Each router
 * gets its own mount and UTS namespaces (`providers/enter.ts`): inside them, the node's folders in the lab's directory are
 * bound on `/etc/frr`, `/run/frr` and `/var/log/frr`, `/sys` is the node's
 * (as `ip netns exec` mounts it), and the hostname is the node's name. FRR's
 * own start script (`/usr/lib/frr/watchfrr.sh start`, which starts every
 * daemon of the `daemons` file as `frrinit.sh` would, then loads `frr.conf`
 * with `vtysh -b`) runs there, so the daemons run as Debian runs them (as
 * the `frr` user) and `vtysh` finds them at the usual paths. Nothing of a
 * router is visible from the host's own `/etc/frr` or `/run/frr`.
 *
 * Why not FRR's pathspaces (`-N`): they put each router's files under the
 * host's `/etc/frr/NAME/`, and a user's `vtysh` would need `-N NAME`.
 */

import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { LabError } from "../../errors.js";
import type { Runner } from "../../exec.js";
import type { FrrDevicePlan, LinuxNodePlan } from "../../plan/types.js";
import { isAlive, pidFromFile, stopPid } from "../../process.js";
import { enterWithMounts, NODE_NS_DIR, nodeNamespaceFiles } from "../enter.js";
import { hostsFileOf } from "../hosts.js";
import type { RouterFiles } from "../layout.js";
import { FRR_LOG_FILE, FRR_READY_TIMEOUT_MS, routerFileTexts } from "../router-files.js";
import { configRefusals, refusalMessage } from "./refusals.js";

/** The log file's name in the router's log folder. */
const LOG_NAME = basename(FRR_LOG_FILE);

/** The paths a router's mount namespace binds its own folders on. */
const BOUND = { etc: "/etc/frr", run: "/run/frr", log: "/var/log/frr" } as const;

/** FRR's daemons, as Debian installs them. */
const FRR_BIN = "/usr/lib/frr";

/**
 * Writes the router's `/etc/frr`: its `daemons` (the user's, or zebra,
 * staticd and what the config needs), `frr.conf` (the user's, or a hostname
 * line) and `vtysh.conf` (one integrated config, as Debian ships it).
 *
 * @returns the daemons that must answer once it runs
 * @throws {LabError} when a user's file cannot be read
 */
export async function writeRouterFiles(
  run: Runner,
  node: LinuxNodePlan,
  device: FrrDevicePlan,
  files: RouterFiles,
): Promise<string[]> {
  const { files: texts, daemons } = await routerFileTexts(node.name, device);
  await run("install", ["-d", "-o", "frr", "-g", "frr", "-m", "0755", files.etc, files.run]);
  await run("install", ["-d", "-o", "frr", "-g", "frr", "-m", "0775", files.log]);
  for (const [name, text] of Object.entries(texts)) await writeFile(join(files.etc, name), text);
  await run("chown", ["frr:frr", ...Object.keys(texts).map((f) => join(files.etc, f))]);
  await run("chmod", ["0640", join(files.etc, "frr.conf"), join(files.etc, "daemons")]);
  return daemons;
}

/**
 * Makes the router's mount and UTS namespaces (see the module comment).
 *
 * @throws {CommandError} when the kernel refuses a namespace or a mount
 */
export async function makeRouterNamespaces(
  run: Runner,
  node: LinuxNodePlan,
  files: RouterFiles,
): Promise<void> {
  await ensurePrivateDir(run);
  // Mount points the binds need on the host (FRR's package makes them; /run/frr only when FRR ran).
  await run("install", ["-d", "-o", "frr", "-g", "frr", "-m", "0755", BOUND.run, BOUND.log]);
  const ns = nodeNamespaceFiles(node.namespace);
  await removeRouterNamespaces(run, node.namespace);
  await writeFile(ns.mnt, "");
  await writeFile(ns.uts, "");
  const inside = [
    "set -e",
    // /sys as `ip netns exec` mounts it: the node's own interfaces.
    "umount -l /sys 2>/dev/null || true",
    "mount -t sysfs sysfs /sys",
    `mount --bind ${quote(files.etc)} ${BOUND.etc}`,
    `mount --bind ${quote(files.run)} ${BOUND.run}`,
    `mount --bind ${quote(files.log)} ${BOUND.log}`,
    // The lab's hosts file, as `ip netns exec` binds it for the other nodes.
    `if [ -f ${quote(hostsFileOf(node.namespace))} ]; then mount --bind ${quote(hostsFileOf(node.namespace))} /etc/hosts; fi`,
    // The kernel takes any node name; Debian's hostname(1) refuses an underscore (netlab's dut_a).
    `printf '%s' ${quote(node.name)} >/proc/sys/kernel/hostname`,
  ].join("\n");
  await run("nsenter", [
    `--net=/run/netns/${node.namespace}`,
    "--",
    "unshare",
    `--mount=${ns.mnt}`,
    `--uts=${ns.uts}`,
    "--propagation",
    "private",
    "--",
    "sh",
    "-c",
    inside,
  ]);
}

/**
 * Starts the router's daemons with FRR's own script and waits until each
 * answers `vtysh`.
 *
 * @param daemons - the daemons that must answer
 * @throws {LabError} naming the node, the daemons that did not start and the last lines of their log
 */
export async function startRouter(
  run: Runner,
  node: LinuxNodePlan,
  files: RouterFiles,
  daemons: readonly string[],
  timeoutMs = FRR_READY_TIMEOUT_MS,
): Promise<void> {
  const start = await run(
    enterWithMounts(node.namespace)[0] as string,
    [...enterWithMounts(node.namespace).slice(1), `${FRR_BIN}/watchfrr.sh`, "start"],
    { check: false },
  );
  const missing = await waitForDaemons(run, node.namespace, daemons, timeoutMs);
  const said = `${start.stdout}\n${start.stderr}`.trim();
  if (missing.length === 0) {
    const refused = configRefusals(said);
    if (refused) throw new LabError(refusalMessage(node.name, refused));
    return;
  }
  throw new LabError(
    `router ${node.name}: ${missing.join(", ")} did not start within ${timeoutMs / 1000} s${said ? `; FRR's start script said:\n  ${said.split("\n").join("\n  ")}` : ""}${await logTail(files, missing)}`,
  );
}

/**
 * The daemons of `daemons` that do not answer `vtysh -c 'show daemons'`
 * within `timeoutMs`.
 */
export async function waitForDaemons(
  run: Runner,
  namespace: string,
  daemons: readonly string[],
  timeoutMs: number,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  const enter = enterWithMounts(namespace);
  for (;;) {
    const r = await run(enter[0] as string, [...enter.slice(1), "vtysh", "-c", "show daemons"], {
      check: false,
      timeoutMs: 10_000,
    });
    const answering = new Set(r.exitCode === 0 ? r.stdout.trim().split(/\s+/) : []);
    const missing = daemons.filter((d) => !answering.has(d));
    if (missing.length === 0 || Date.now() >= deadline) return missing;
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** The last lines of the router's log that name one of `daemons` (or its last lines). */
async function logTail(files: RouterFiles, daemons: readonly string[]): Promise<string> {
  const text = await readFile(join(files.log, LOG_NAME), "utf8").catch(() => "");
  const lines = text.trim().split("\n").filter(Boolean);
  const theirs = lines.filter((l) =>
    daemons.some((d) => l.includes(d.replace(/d$/, "").toUpperCase()) || l.includes(d)),
  );
  const tail = (theirs.length ? theirs : lines).slice(-8);
  return tail.length
    ? `\n  its log (${join(files.log, LOG_NAME)}) ends with:\n  ${tail.join("\n  ")}`
    : "";
}

/** The PIDs of the router's daemons that run, by daemon name (from their pid files). */
export async function routerPids(files: RouterFiles): Promise<Map<string, number>> {
  const names = await readdir(files.run).catch(() => [] as string[]);
  const pids = new Map<string, number>();
  for (const f of names.filter((n) => n.endsWith(".pid"))) {
    const daemon = basename(f, ".pid");
    const pid = await pidFromFile(
      join(files.run, f),
      (argv) => argv[0] === `${FRR_BIN}/${daemon.replace(/-\d+$/, "")}`,
    );
    if (pid !== undefined) pids.set(daemon, pid);
  }
  return pids;
}

/**
 * Stops the router's daemons (SIGTERM, as FRR's script stops them, then
 * SIGKILL) and removes its namespaces. Whatever is already gone is skipped.
 *
 * @returns the daemons that were running
 */
export async function stopRouter(
  run: Runner,
  namespace: string,
  files: RouterFiles,
): Promise<string[]> {
  const pids = await routerPids(files);
  await Promise.all([...pids.values()].map((pid) => stopPid(pid)));
  await removeRouterNamespaces(run, namespace);
  return [...pids.keys()];
}

/** Unmounts and removes a router's namespace files, if there. */
export async function removeRouterNamespaces(run: Runner, namespace: string): Promise<void> {
  const ns = nodeNamespaceFiles(namespace);
  for (const file of [ns.mnt, ns.uts]) {
    await run("umount", [file], { check: false });
    await rm(file, { force: true });
  }
}

/** Whether the router's namespace files are there (mounted namespaces, not plain files). */
export async function hasRouterNamespaces(namespace: string): Promise<boolean> {
  const ns = nodeNamespaceFiles(namespace);
  const mounts = await readFile("/proc/self/mountinfo", "utf8");
  return [ns.mnt, ns.uts].every((f) => mounts.includes(` ${f} `));
}

/**
 * The router's network namespace as its zebra sees it, against the node's
 * current one: a namespace rebuilt under a running FRR leaves FRR in the
 * old one.
 */
export async function inCurrentNamespace(
  pid: number,
  namespace: string,
  run: Runner,
): Promise<boolean> {
  const r = await run(
    "stat",
    ["-L", "-c", "%i", `/proc/${pid}/ns/net`, `/run/netns/${namespace}`],
    {
      check: false,
    },
  );
  const [a, b] = r.stdout.trim().split("\n");
  return r.exitCode === 0 && a !== undefined && a === b && isAlive(pid);
}

/** The one check-and-mount of {@link NODE_NS_DIR} in this process (routers start in parallel). */
let privateDir: Promise<void> | undefined;

/** Makes {@link NODE_NS_DIR} a private mount of itself (as `ip netns` does with /run/netns), once. */
function ensurePrivateDir(run: Runner): Promise<void> {
  privateDir ??= (async () => {
    await run("mkdir", ["-p", NODE_NS_DIR]);
    const mounts = await readFile("/proc/self/mountinfo", "utf8");
    if (mounts.split("\n").some((l) => l.split(" ")[4] === NODE_NS_DIR)) return;
    await run("mount", ["--bind", NODE_NS_DIR, NODE_NS_DIR]);
    await run("mount", ["--make-private", NODE_NS_DIR]);
  })().catch((e: unknown) => {
    privateDir = undefined;
    throw e;
  });
  return privateDir;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
