/**
 * The qemu provider: a lab's VM nodes. Every VM gets its own initramfs (the
 * guest image plus an archive with its configuration); all VMs start at
 * once (booting is CPU-bound: none should wait idle), each a detached QEMU
 * under the process starter, and the start phase ends when every guest's
 * command agent answers (a user's image: when QEMU's monitor answers).
 */

import { existsSync, statSync } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { eachSettled } from "../../concurrent.js";
import { LabError } from "../../errors.js";
import type { Runner } from "../../exec.js";
import type { GuestImage } from "../../image/build.js";
import { hostsText } from "../../plan/hosts.js";
import { usesGuestImage, vmNodes } from "../../plan/kinds/vm.js";
import type { LabPlan, VmNodePlan } from "../../plan/types.js";
import { findProcesses, ProcessError, pidFromFile, stopPid } from "../../process.js";
import { configRefusals, refusalMessage } from "../frr/refusals.js";
import type { LabLayout, VmFiles } from "../layout.js";
import type { Owned, Provider, ProviderContext, TeardownContext } from "../provider.js";
import { FRR_LOG_FILE, FRR_READY_TIMEOUT_MS } from "../router-files.js";
import type { ImageReader } from "../session.js";
import { type Accel, chooseAccel } from "./accel.js";
import { AgentClient, AgentError } from "./agent.js";
import { applyVms, retireVms, type VmSteps } from "./apply.js";
import { nicsOnTaps, qemuArgs, qemuName, vmTaps } from "./args.js";
import { nodeFiles } from "./identity.js";
import { writeNodeInitrd } from "./initrd.js";
import { qmp } from "./qmp.js";
import { restoreVm, SnapshotLoadError } from "./restore.js";
import {
  agentAnswersWithin,
  buildSnapshot,
  describeShape,
  findSnapshot,
  MAX_SNAPSHOT_MEMORY_MIB,
  nodeShape,
  qemuVersion,
  removeSnapshot,
  type Snapshot,
  shapeKey,
  snapshotsDir,
  type VmShape,
  vmShape,
} from "./snapshot.js";

/** How long a VM may take to boot until its agent answers, in ms. */
export const BOOT_TIMEOUT_MS = 180_000;

/** How often a booting VM's agent is tried, in ms. */
const AGENT_PROBE_MS = 100;

/** How long one try may wait for the agent's answer, in ms. */
const AGENT_PING_MS = 1000;

/** Lines of a failed VM's console and log shown in the error. */
const TAIL_LINES = 8;

/** What the qemu provider's preflight gathers. */
export interface QemuPrepared {
  readonly image: GuestImage;
}

/** What the qemu provider records: the VM nodes whose QEMU it may stop. */
export function vmsOwned(owned: Owned): string[] {
  return Array.isArray(owned.vms)
    ? owned.vms.filter((v): v is string => typeof v === "string")
    : [];
}

/** What an apply does with single VMs (`apply.ts`). */
const VM_STEPS: VmSteps = {
  start: (ctx, image, only) => startVms(ctx, image, only),
  stop: (ctx, nodes) => stopVms({ lab: ctx.plan.lab, layout: ctx.layout }, nodes),
  writeInitrd: (ctx, image, node, hosts) =>
    writeNodeInitrd(ctx.run, image, node, ctx.layout.vm(node.name), hosts),
};

/** @param images - reads the guest image (injected for tests) */
export function qemuProvider(images: ImageReader): Provider<QemuPrepared> {
  return {
    name: "qemu",
    findableByName: false,
    uses: (plan) => vmNodes(plan).length > 0,
    tools: () => ["qemu-system-x86_64"],
    async preflight(plan) {
      const image = await images();
      if (!image)
        throw new LabError(
          `lab "${plan.lab}" has VM nodes and there is no guest image yet; build it with: wirelab image build`,
        );
      const files = vmNodes(plan).flatMap((n) => {
        const u = n.vm.userImage;
        return u ? [u.disk, u.kernel, u.initrd].filter((f): f is string => f !== undefined) : [];
      });
      const missing = files.filter((f) => !existsSync(f));
      if (missing.length) throw new LabError(`image files not found: ${missing.join(", ")}`);
      // A folder or a device (/dev/zero) would reach QEMU, which hangs or fails late.
      const odd = files.filter((f) => !statSync(f).isFile());
      if (odd.length)
        throw new LabError(`image files must be regular files; these are not: ${odd.join(", ")}`);
      return { image };
    },
    owns: (plan) => ({ vms: vmNodes(plan).map((n) => n.name) }),
    start: (ctx, prepared) => startVms(ctx, prepared.image),
    retire: (ctx) => retireVms(ctx, VM_STEPS),
    apply: (ctx, prepared) => applyVms(ctx, prepared.image, VM_STEPS),
    async repair(ctx, prepared) {
      const { dead, detached } = await checkVms(ctx.run, ctx.plan, ctx.layout);
      const restart = [...dead, ...detached.map((d) => d.node)];
      // A running guest that does not answer may still be booting (a restart
      // that was interrupted): it gets its boot time, then a restart.
      const silent = await silentVms(
        ctx,
        vmNodes(ctx.plan).filter((n) => usesGuestImage(n) && !restart.includes(n.name)),
      );
      restart.push(...silent);
      if (restart.length === 0) return { repaired: [] };
      // Said before: a boot takes seconds.
      ctx.reporter?.info?.(
        `restarting ${restart.join(", ")} (${[
          ...(dead.length ? [`QEMU was not running: ${dead.join(", ")}`] : []),
          ...detached.map((d) => `${d.node}'s tap ${d.tap} was made again`),
          ...(silent.length
            ? [`no answer within ${BOOT_TIMEOUT_MS / 1000} s: ${silent.join(", ")}`]
            : []),
        ].join("; ")})`,
      );
      await stopVms({ lab: ctx.plan.lab, layout: ctx.layout }, restart);
      await startVms(ctx, prepared.image, restart);
      return { repaired: restart.map((n) => `VM ${n}`) };
    },
    async missing(ctx, plan, stopped) {
      const { dead, detached } = await checkVms(ctx.run, plan, ctx.layout);
      return [
        ...dead.filter((n) => !stopped?.has(n)).map((n) => `VM ${n} (its QEMU is not running)`),
        ...detached.map((d) => `VM ${d.node}'s NIC on tap ${d.tap} (the tap is not QEMU's)`),
      ];
    },
    async findOwned(ctx) {
      const vms = await labQemus(ctx.layout);
      return vms.size ? { vms: [...vms.keys()].sort() } : undefined;
    },
    async destroy(ctx, owned) {
      return { VM: await stopVms(ctx, vmsOwned(owned)) };
    },
  };
}

/**
 * VMs whose QEMU does not run, and running VMs one of whose taps QEMU no
 * longer holds: a tap deleted and made again has no carrier (no `LOWER_UP`)
 * until a process attaches to it (the kernel's tun driver sets carrier on
 * attach).
 */
async function checkVms(
  run: Runner,
  plan: LabPlan,
  layout: LabLayout,
): Promise<{ dead: string[]; detached: { node: string; tap: string }[] }> {
  const dead: string[] = [];
  const detached: { node: string; tap: string }[] = [];
  let links: Map<string, readonly string[]> | undefined;
  for (const n of vmNodes(plan)) {
    if ((await qemuPid(plan.lab, n.name, layout)) === undefined) {
      dead.push(n.name);
      continue;
    }
    const taps = vmTaps(plan, n);
    if (taps.length) links ??= await hostLinkFlags(run);
    for (const tap of taps)
      if (!links?.get(tap)?.includes("LOWER_UP")) detached.push({ node: n.name, tap });
  }
  return { dead, detached };
}

/**
 * Of running VMs, those whose agent does not answer within their boot time
 * ({@link BOOT_TIMEOUT_MS}); the reporter says who is waited for.
 *
 * @returns the names of the VMs that stayed silent
 */
async function silentVms(
  ctx: Pick<ProviderContext, "layout" | "reporter" | "signal">,
  vms: readonly VmNodePlan[],
): Promise<string[]> {
  const answers = (n: VmNodePlan) => agentAnswers(ctx.layout.vm(n.name).agent).catch(() => false);
  let waiting: VmNodePlan[] = [];
  for (const n of vms) if (!(await answers(n))) waiting.push(n);
  if (waiting.length === 0) return [];
  ctx.reporter?.info?.(
    `waiting for ${waiting.map((n) => n.name).join(", ")} to answer (booting, or stuck)`,
  );
  const deadline = Date.now() + BOOT_TIMEOUT_MS;
  while (waiting.length && Date.now() < deadline) {
    ctx.signal?.throwIfAborted();
    await new Promise((r) => setTimeout(r, AGENT_PROBE_MS));
    const still: VmNodePlan[] = [];
    for (const n of waiting) if (!(await answers(n))) still.push(n);
    waiting = still;
  }
  return waiting.map((n) => n.name);
}

/** Host devices with their flags (`ip -json link show`; ip(8)): `LOWER_UP` is carrier. */
async function hostLinkFlags(run: Runner): Promise<Map<string, readonly string[]>> {
  const r = await run("ip", ["-json", "link", "show"]);
  const links = JSON.parse(r.stdout || "[]") as { ifname: string; flags?: string[] }[];
  return new Map(links.map((l) => [l.ifname, l.flags ?? []]));
}

/**
 * How each VM starts, by node: from its shape's snapshot, or by a boot
 * (with the reason when the node did not ask for one).
 *
 * @throws {LabError} when `$WIRELAB_VM_START` is neither `boot` nor `snapshot`
 */
export function startChoices(
  vms: readonly VmNodePlan[],
): Map<string, { restore: boolean; why?: string }> {
  const forced = process.env.WIRELAB_VM_START;
  if (forced !== undefined && forced !== "" && forced !== "boot" && forced !== "snapshot")
    throw new LabError(`WIRELAB_VM_START is "${forced}"; it must be "boot" or "snapshot"`);
  const out = new Map<string, { restore: boolean; why?: string }>();
  for (const n of vms) {
    if (!usesGuestImage(n)) out.set(n.name, { restore: false, why: "it runs its own image" });
    else if (n.vm.memoryMiB > MAX_SNAPSHOT_MEMORY_MIB)
      out.set(n.name, {
        restore: false,
        why: `its memory (${n.vm.memoryMiB} MiB) is more than snapshots are made for (${MAX_SNAPSHOT_MEMORY_MIB} MiB: a snapshot's RAM is a file that size)`,
      });
    else if (forced === "boot" || (forced !== "snapshot" && n.vm.start === "boot"))
      out.set(n.name, { restore: false });
    else out.set(n.name, { restore: true });
  }
  return out;
}

/**
 * Starts the lab's VMs (or only the named ones) and waits until each
 * answers. A VM of wirelab's image starts from its shape's snapshot, which
 * is made first when there is none (once per shape); one that cannot boots,
 * and the reporter says why, once per reason.
 *
 * @throws {LabError} when QEMU refuses to start (its own message is quoted)
 * @throws {AgentError} when a VM does not boot in time (its console's last lines are quoted)
 */
export async function startVms(
  ctx: Pick<ProviderContext, "plan" | "run" | "start" | "layout" | "ports" | "reporter" | "signal">,
  image: GuestImage,
  only?: readonly string[],
  bootTimeoutMs = BOOT_TIMEOUT_MS,
): Promise<void> {
  const vms = vmNodes(ctx.plan).filter((n) => !only || only.includes(n.name));
  if (vms.length === 0) return;
  ctx.signal?.throwIfAborted();
  const accel = await chooseAccel(ctx.run, image);
  const choices = startChoices(vms);
  const snapshots = new SnapshotCache(ctx, image, bootTimeoutMs);
  const booted: { node: string; why: string }[] = [];
  for (const n of vms) {
    const why = choices.get(n.name)?.why;
    if (why) booted.push({ node: n.name, why });
  }
  let started = 0;
  const step = "starting VMs";
  ctx.reporter?.progress?.({ step, done: 0, total: vms.length });
  // Booting is CPU-bound: every VM starts at once so that none waits idle.
  // (Booting only as many as there are CPUs at a time was no faster: each VM
  // took about 5 s of CPU against 3.3 s alone.)
  // Every start has ended, one way or the other, before this returns or throws: an undo never races one.
  try {
    await eachSettled(
      vms,
      async (node) => {
        const restored =
          choices.get(node.name)?.restore === true &&
          (await restoreFromSnapshot(ctx, image, accel, node, snapshots, booted));
        if (!restored) await startVm(ctx, image, accel, node, bootTimeoutMs);
        ctx.reporter?.progress?.({ step, done: ++started, total: vms.length });
      },
      ctx.signal ? { signal: ctx.signal } : {},
    );
    // A snapshot that failed to load is made again now, for the next start.
    await snapshots.remade();
  } finally {
    const byWhy = new Map<string, string[]>();
    for (const b of booted) byWhy.set(b.why, [...(byWhy.get(b.why) ?? []), b.node]);
    for (const [why, nodes] of byWhy)
      ctx.reporter?.info?.(`booted ${nodes.sort().join(", ")} (not from a snapshot: ${why})`);
  }
}

/**
 * Starts a VM from its shape's snapshot.
 *
 * @returns false when it must boot instead (the reason is added to `booted`)
 */
async function restoreFromSnapshot(
  ctx: Pick<ProviderContext, "plan" | "run" | "start" | "layout" | "ports" | "reporter" | "signal">,
  image: GuestImage,
  accel: Accel,
  node: VmNodePlan,
  snapshots: SnapshotCache,
  booted: { node: string; why: string }[],
): Promise<boolean> {
  const shape = vmShape(nodeShape(node), image, accel, await qemuVersion(ctx.run));
  let snap: Snapshot;
  try {
    snap = await snapshots.get(shape);
  } catch (e) {
    ctx.signal?.throwIfAborted();
    booted.push({ node: node.name, why: (e as Error).message });
    return false;
  }
  const f = await freshVmFiles(ctx, node);
  ctx.signal?.throwIfAborted();
  const argv = [
    "qemu-system-x86_64",
    ...qemuArgs(
      ctx.plan,
      node,
      {
        accel,
        kernel: image.kernel,
        initrd: snap.initrd,
        tools: image.tools,
        files: f,
        ports: ctx.ports,
        nicSocket: (i) => ctx.layout.nicSocket(node.name, i),
      },
      { ram: snap.ram },
    ),
  ];
  const identity = await nodeFiles(node, hostsText(ctx.plan));
  try {
    await restoreVm(
      ctx.start,
      snap,
      { node, argv, files: f, identity, tapNics: nicsOnTaps(ctx.plan, node) },
      ctx.signal,
    );
  } catch (e) {
    if (!(e instanceof SnapshotLoadError)) throw e;
    ctx.signal?.throwIfAborted();
    // Every VM of this snapshot that fails says the first one's reason: one message.
    const first = snapshots.failed(shape, snap, e.message);
    booted.push({
      node: node.name,
      why: `its snapshot ${snap.key} could not be loaded (${first}); it is made again`,
    });
    return false;
  }
  if (identity.daemons.length) await routerAnswers(node.name, f.agent, identity.daemons);
  return true;
}

/**
 * Snapshots by shape for one start of VMs: each found or made once, a
 * failed one removed and made again once.
 */
class SnapshotCache {
  private readonly made = new Map<string, Promise<Snapshot>>();
  private readonly again = new Map<string, Promise<unknown>>();
  private readonly reasons = new Map<string, string>();

  constructor(
    private readonly ctx: Pick<ProviderContext, "run" | "start" | "reporter" | "signal">,
    private readonly image: GuestImage,
    private readonly bootTimeoutMs: number,
  ) {}

  /** @throws {SnapshotError} when it cannot be made */
  get(shape: VmShape): Promise<Snapshot> {
    const key = shapeKey(shape);
    const known = this.made.get(key);
    if (known) return known;
    const p = findSnapshot(this.image, shape).then((s) => s ?? this.build(shape));
    this.made.set(key, p);
    return p;
  }

  /**
   * Removes a snapshot that failed to load and makes it again (once).
   *
   * @returns the reason of its first failure
   */
  failed(shape: VmShape, snap: Snapshot, reason: string): string {
    const key = shapeKey(shape);
    const known = this.reasons.get(key);
    if (known !== undefined) return known;
    this.reasons.set(key, reason);
    const p = removeSnapshot(snap).then(() => this.build(shape));
    p.catch(() => undefined);
    this.again.set(key, p);
    return reason;
  }

  /** Waits for the snapshots being made again; one that fails again is said and left. */
  async remade(): Promise<void> {
    for (const p of this.again.values())
      await p.catch((e: Error) => this.ctx.reporter?.info?.(e.message));
  }

  private build(shape: VmShape): Promise<Snapshot> {
    this.ctx.reporter?.info?.(
      `making the snapshot for VMs of ${describeShape(shape)} (once per VM shape; in ${snapshotsDir(this.image)})`,
    );
    return buildSnapshot(
      {
        run: this.ctx.run,
        start: this.ctx.start,
        ...(this.ctx.signal ? { signal: this.ctx.signal } : {}),
      },
      this.image,
      shape,
      agentAnswersWithin(this.bootTimeoutMs),
    );
  }
}

/** A VM's folder, without the sockets and files an earlier QEMU left (they would stop this one). */
async function freshVmFiles(
  ctx: Pick<ProviderContext, "layout">,
  node: VmNodePlan,
): Promise<VmFiles> {
  const f = ctx.layout.vm(node.name);
  await mkdir(f.dir, { recursive: true });
  for (const path of [f.agent, f.console, f.qmp, f.log, f.pidfile]) await rm(path, { force: true });
  for (let i = 1; i <= node.interfaces.length; i++)
    await rm(ctx.layout.nicSocket(node.name, i), { force: true });
  return f;
}

async function startVm(
  ctx: Pick<ProviderContext, "plan" | "run" | "start" | "layout" | "ports" | "signal">,
  image: GuestImage,
  accel: Accel,
  node: VmNodePlan,
  bootTimeoutMs: number,
): Promise<void> {
  const f = await freshVmFiles(ctx, node);
  const daemons = usesGuestImage(node)
    ? await writeNodeInitrd(ctx.run, image, node, f, hostsText(ctx.plan))
    : [];
  // Interrupted while this VM's files were written: start nothing.
  ctx.signal?.throwIfAborted();
  const argv = [
    "qemu-system-x86_64",
    ...qemuArgs(ctx.plan, node, {
      accel,
      kernel: image.kernel,
      initrd: f.initrd,
      tools: image.tools,
      files: f,
      ports: ctx.ports,
      nicSocket: (i) => ctx.layout.nicSocket(node.name, i),
    }),
  ];
  // QEMU daemonizes once it runs: the launch exits 0, or with its error in the log.
  const handle = ctx.start(argv, {
    daemonizes: { pidfile: f.pidfile },
    output: { file: f.log },
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    readyTimeoutMs: bootTimeoutMs,
    // A user's image has no agent to wait for: QEMU answering its monitor is all there is.
    readyWhen: {
      probe: usesGuestImage(node) ? () => agentAnswers(f.agent) : () => monitorAnswers(f.qmp),
      intervalMs: AGENT_PROBE_MS,
    },
  });
  try {
    await handle.ready;
  } catch (e) {
    throw await bootFailure(node.name, f, e as Error, bootTimeoutMs);
  }
  if (daemons.length) await routerAnswers(node.name, f.agent, daemons);
}

/**
 * Waits until a VM router's daemons answer `vtysh -c 'show daemons'` (its
 * init started them).
 *
 * @throws {LabError} naming those that did not, with the last lines of their log
 */
async function routerAnswers(
  node: string,
  agent: string,
  daemons: readonly string[],
): Promise<void> {
  const client = await AgentClient.connect(agent);
  try {
    const deadline = Date.now() + FRR_READY_TIMEOUT_MS;
    for (;;) {
      const r = await client.run(["vtysh", "-c", "show daemons"], AGENT_PING_MS * 10);
      const running = r.exitCode === 0 ? r.stdout.trim().split(/\s+/) : [];
      const missing = daemons.filter((d) => !running.includes(d));
      if (missing.length === 0) {
        // The guest's init ran FRR's start script to its end before it started the agent.
        const start = await client.run(["cat", "/var/log/frr/start.log"], AGENT_PING_MS * 10);
        const refused = configRefusals(start.stdout);
        if (refused) throw new LabError(refusalMessage(node, refused));
        return;
      }
      if (Date.now() >= deadline) {
        const log = await client.run(
          ["sh", "-c", `tail -n ${TAIL_LINES} ${FRR_LOG_FILE} /var/log/frr/start.log`],
          AGENT_PING_MS * 10,
        );
        throw new LabError(
          `router ${node}: ${missing.join(", ")} did not start within ${FRR_READY_TIMEOUT_MS / 1000} s; its log ends with:\n  ${log.stdout.trim().split("\n").join("\n  ")}`,
        );
      }
      await new Promise((res) => setTimeout(res, AGENT_PROBE_MS * 2));
    }
  } finally {
    client.close();
  }
}

/** The reason a VM did not come up: QEMU's own words, or where its console stopped. */
async function bootFailure(
  node: string,
  f: VmFiles,
  e: Error,
  bootTimeoutMs: number,
): Promise<Error> {
  const tail = async (file: string) =>
    (await readFile(file, "utf8").catch(() => ""))
      .trim()
      .split("\n")
      .filter(Boolean)
      .slice(-TAIL_LINES);
  if (!(e instanceof ProcessError)) return e;
  if (e.exit) {
    const log = await tail(f.log);
    const how = e.exit.signal
      ? `was killed by ${e.exit.signal}`
      : e.exit.code !== null
        ? `exited with code ${e.exit.code}`
        : "stopped";
    return new LabError(
      `VM ${node}: QEMU ${how}${log.length ? `:\n  ${log.join("\n  ")}` : ` (nothing in ${f.log})`}`,
    );
  }
  const console = await tail(f.consoleLog);
  const said = console.length ? `; its console ended with:\n  ${console.join("\n  ")}` : "";
  return new AgentError(
    `VM ${node} did not answer within ${Math.round(bootTimeoutMs / 1000)} s${said}`,
  );
}

async function agentAnswers(path: string): Promise<boolean> {
  const client = await AgentClient.connect(path);
  try {
    return await client.ping(AGENT_PING_MS);
  } finally {
    client.close();
  }
}

async function monitorAnswers(path: string): Promise<boolean> {
  await qmp(path, [{ execute: "query-status" }], AGENT_PING_MS);
  return true;
}

/**
 * The QEMUs of a lab's folder, by node: every process whose `-pidfile` is
 * in the lab's `vm/` (which finds one whose pidfile was never written).
 */
async function labQemus(layout: LabLayout): Promise<Map<string, number[]>> {
  const byNode = new Map<string, number[]>();
  const pidfileOf = (argv: readonly string[]) =>
    argv.includes("-pidfile") ? argv[argv.indexOf("-pidfile") + 1] : undefined;
  for (const pid of await findProcesses((argv) => {
    const f = pidfileOf(argv);
    return f !== undefined && dirname(f) === layout.vmDir;
  })) {
    const argv = (await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "")).split("\0");
    const node = basename(pidfileOf(argv) ?? "", ".pid");
    byNode.set(node, [...(byNode.get(node) ?? []), pid]);
  }
  return byNode;
}

/**
 * Stops VMs: SIGTERM to each QEMU of the lab's (its pidfile, checked by its
 * `-name`, and any process whose `-pidfile` is the node's), SIGKILL after a
 * grace period.
 *
 * @returns the nodes whose QEMU was stopped
 */
export async function stopVms(
  ctx: Pick<TeardownContext, "lab" | "layout">,
  nodes: readonly string[],
): Promise<string[]> {
  const found = await labQemus(ctx.layout);
  const byNode = new Map<string, Set<number>>();
  for (const node of nodes) {
    const pids = new Set(found.get(node) ?? []);
    const pid = await qemuPid(ctx.lab, node, ctx.layout);
    if (pid !== undefined) pids.add(pid);
    if (pids.size) byNode.set(node, pids);
  }
  await Promise.all([...byNode.values()].flatMap((pids) => [...pids].map((p) => stopPid(p))));
  return [...byNode.keys()].sort();
}

/**
 * PID of a lab VM's QEMU, if it runs: read from the pidfile and confirmed
 * through /proc/PID/cmdline, so a recycled PID is never signalled.
 */
export async function qemuPid(
  lab: string,
  node: string,
  layout: LabLayout,
): Promise<number | undefined> {
  return pidFromFile(layout.vm(node).pidfile, (argv) => argv.includes(qemuName(lab, node)));
}

/** Starts the VMs again after their QEMU stopped (a restart), with the image read again. */
export async function restartVm(
  ctx: Pick<ProviderContext, "plan" | "run" | "start" | "layout" | "ports" | "reporter" | "signal">,
  images: ImageReader,
  node: string,
): Promise<void> {
  const image = await images();
  if (!image) throw new LabError("the guest image is gone; build it with: wirelab image build");
  // QEMU would make a missing tap itself, joined to nothing.
  const vm = vmNodes(ctx.plan).find((n) => n.name === node);
  const hostLinks = await hostLinkFlags(ctx.run);
  const gone = vm ? vmTaps(ctx.plan, vm).filter((t) => !hostLinks.has(t)) : [];
  if (gone.length)
    throw new LabError(
      `${node}'s tap ${gone.join(", ")} is missing; "wirelab up FILE" puts it back and restarts ${node}`,
    );
  await stopVms({ lab: ctx.plan.lab, layout: ctx.layout }, [node]);
  await startVms(ctx, image, [node]);
}
