/**
 * VM snapshots: a guest of wirelab's image booted once per VM shape with no
 * identity, saved, and restored by every later VM of that shape instead of
 * a boot (`restore.ts`).
 *
 * A snapshot is a folder of the image cache, `snapshots/<key>/`:
 * - `ram`: the guest's RAM. The saved guest ran with its RAM in this file
 *   (`memory-backend-file,share=on`), so stopping it left its memory there;
 *   restored VMs map it private (copy-on-write).
 * - `state`: the devices' state, written by QMP `migrate` with the
 *   `x-ignore-shared` capability, which leaves shared RAM out of the stream
 *   (QEMU docs, "Migration framework"; QMP Reference, MigrationCapability).
 * - `initrd`: the initramfs the saved guest booted (QEMU reads it again at
 *   start, before the state replaces what it loaded).
 * - `shape.json`: the shape, when and how fast it was made.
 *
 * The key is a hash of the shape, which holds everything QEMU needs to be
 * the same to accept the state: the image, QEMU's version, the accelerator,
 * memory, CPUs, the NIC model and count, and the device list wirelab
 * writes. A rebuilt image removes every snapshot (`image/build.ts`).
 */
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WirelabError } from "../../errors.js";
import type { Runner } from "../../exec.js";
import { type GuestImage, SNAPSHOTS_DIR } from "../../image/build.js";
import type { VmNodePlan, VmPlan } from "../../plan/types.js";
import { isAlive, type ProcessStarter } from "../../process.js";
import { shellQuote } from "../../shell.js";
import type { Accel } from "./accel.js";
import { AgentClient } from "./agent.js";
import { guestBootArgs, type VmSpec, vmArgs } from "./args.js";
import { guestEnv, snapshotMac } from "./identity.js";
import { writeInitrd } from "./initrd.js";
import { qmp } from "./qmp.js";

/** Everything a saved state depends on. */
export interface VmShape {
  /** Digest of the image's manifest (packages, guest files, build time). */
  readonly image: string;
  /** `qemu-system-x86_64 --version`'s first line. */
  readonly qemu: string;
  readonly accel: Accel;
  readonly memoryMiB: number;
  readonly cpus: number;
  readonly nic: VmPlan["nic"];
  /** Lab NICs (the management NIC comes on top). */
  readonly nics: number;
  /** Digest of the device list wirelab gives QEMU for this shape. */
  readonly devices: string;
}

/** A snapshot on disk. */
export interface Snapshot {
  readonly key: string;
  readonly shape: VmShape;
  readonly dir: string;
  readonly ram: string;
  readonly state: string;
  readonly initrd: string;
  /** ISO 8601 time it was made. */
  readonly created: string;
  /** How long making it took, in ms (boot, save). */
  readonly buildMs: number;
  /** Bytes on disk of its RAM file (what the guest touched) and of its state. */
  readonly ramBytes: number;
  readonly stateBytes: number;
}

/**
 * The most guest memory a snapshot is made for, in MiB: its RAM file takes
 * that much disk (the guest's boot touches all of it). Larger VMs boot.
 */
export const MAX_SNAPSHOT_MEMORY_MIB = 2048;

/** How long saving a stopped guest may take, in ms (0.1 s here). */
const SAVE_TIMEOUT_MS = 60_000;

/** How often the state of a save or load is asked, in ms. */
const MIGRATION_POLL_MS = 20;

/** Digest of an image (its manifest changes with every build). */
export function imageDigest(image: GuestImage): string {
  return createHash("sha256").update(JSON.stringify(image.manifest)).digest("hex").slice(0, 16);
}

/** What of a VM its shape takes: memory, CPUs, the NIC model and the number of lab NICs. */
export type ShapeSpec = Pick<VmShape, "memoryMiB" | "cpus" | "nic" | "nics">;

/** The shape spec of a VM node. */
export function nodeShape(node: VmNodePlan): ShapeSpec {
  return {
    memoryMiB: node.vm.memoryMiB,
    cpus: node.vm.cpus,
    nic: node.vm.nic,
    nics: node.interfaces.length,
  };
}

/** The full shape of VMs of wirelab's image with this spec, on this host. */
export function vmShape(spec: ShapeSpec, image: GuestImage, accel: Accel, qemu: string): VmShape {
  const base = {
    image: imageDigest(image),
    qemu,
    accel,
    memoryMiB: spec.memoryMiB,
    cpus: spec.cpus,
    nic: spec.nic,
    nics: spec.nics,
  };
  // Paths, names and sockets are not in the state: the device list with placeholders is.
  const devices = createHash("sha256")
    .update(JSON.stringify(snapshotArgs(base, "/kernel", "/initrd", "/tools")))
    .digest("hex")
    .slice(0, 16);
  return { ...base, devices };
}

/** A shape's file-system-safe key. */
export function shapeKey(shape: VmShape): string {
  return createHash("sha256").update(JSON.stringify(shape)).digest("hex").slice(0, 20);
}

/** `96 MiB, 1 CPU, 2 NICs` */
export function describeShape(shape: Pick<VmShape, "memoryMiB" | "cpus" | "nics" | "nic">): string {
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;
  return `${shape.memoryMiB} MiB, ${plural(shape.cpus, "CPU")}, ${plural(shape.nics, "NIC")}${shape.nic === "e1000" ? " (e1000)" : ""}`;
}

/** The snapshots folder of an image. */
export function snapshotsDir(image: Pick<GuestImage, "dir">): string {
  return join(image.dir, SNAPSHOTS_DIR);
}

/**
 * The snapshot of a shape, when one is complete on disk and was made for
 * exactly this shape.
 */
export async function findSnapshot(
  image: GuestImage,
  shape: VmShape,
): Promise<Snapshot | undefined> {
  const s = await readSnapshot(join(snapshotsDir(image), shapeKey(shape)));
  if (!s || JSON.stringify(s.shape) !== JSON.stringify(shape)) return undefined;
  return s;
}

/** Every snapshot of the image folder, oldest first. */
export async function listSnapshots(image: Pick<GuestImage, "dir">): Promise<Snapshot[]> {
  const root = snapshotsDir(image);
  const names = await readdir(root).catch(() => [] as string[]);
  const found: Snapshot[] = [];
  for (const n of names.filter((x) => /^[0-9a-f]+$/.test(x))) {
    const s = await readSnapshot(join(root, n));
    if (s) found.push(s);
  }
  return found.sort((a, b) => a.created.localeCompare(b.created));
}

/** Removes a snapshot (running VMs restored from it keep their mapping of its RAM). */
export async function removeSnapshot(s: Pick<Snapshot, "dir">): Promise<void> {
  await rm(s.dir, { recursive: true, force: true });
}

async function readSnapshot(dir: string): Promise<Snapshot | undefined> {
  try {
    const meta = JSON.parse(await readFile(join(dir, "shape.json"), "utf8")) as Omit<
      Snapshot,
      "dir" | "ram" | "state" | "initrd"
    >;
    const s: Snapshot = {
      ...meta,
      dir,
      ram: join(dir, "ram"),
      state: join(dir, "state"),
      initrd: join(dir, "initrd"),
    };
    // A RAM file shorter than the guest's memory would not map.
    if ((await stat(s.ram)).size !== s.shape.memoryMiB * 1024 * 1024) return undefined;
    await stat(s.state);
    await stat(s.initrd);
    return s;
  } catch {
    return undefined;
  }
}

/** The file of a snapshot's build folder naming the PID of the wirelab making it. */
const OWNER_FILE = "owner";

/** A build folder with no owner file is stale after this long (ms). */
const UNOWNED_BUILD_MS = 10 * 60_000;

/**
 * Removes the build folders (`<key>.build-*`) that a killed wirelab left:
 * those whose owner is no longer running. A build's RAM file is as large
 * as the guest's memory, so these are worth finding.
 */
export async function removeStaleBuilds(root: string): Promise<void> {
  const names = await readdir(root).catch(() => [] as string[]);
  for (const n of names.filter((x) => x.includes(".build-"))) {
    const dir = join(root, n);
    const owner = Number.parseInt(
      await readFile(join(dir, OWNER_FILE), "utf8").catch(() => ""),
      10,
    );
    const stale = Number.isInteger(owner)
      ? owner !== process.pid && !isAlive(owner)
      : Date.now() - (await stat(dir).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs >
        UNOWNED_BUILD_MS;
    if (stale) await rm(dir, { recursive: true, force: true });
  }
}

/** What building a snapshot needs. */
export interface SnapshotDeps {
  readonly run: Runner;
  readonly start: ProcessStarter;
  readonly signal?: AbortSignal;
}

/** A snapshot could not be made. */
export class SnapshotError extends WirelabError {
  override name = "SnapshotError";
}

/**
 * Boots a guest of the shape with no identity, waits until its agent
 * answers, stops it and saves it. Made in a folder of its own and moved
 * into place when complete; if another wirelab made the same one
 * meanwhile, that one is kept.
 *
 * @param waitReady - resolves when the booted guest's agent answers (the
 *   provider's probe, with its boot time-out)
 * @throws {SnapshotError} when QEMU fails or the save does not complete
 */
export async function buildSnapshot(
  deps: SnapshotDeps,
  image: GuestImage,
  shape: VmShape,
  waitReady: (agentSocket: string, started: Promise<void>, signal: AbortSignal) => Promise<void>,
): Promise<Snapshot> {
  const began = performance.now();
  const root = snapshotsDir(image);
  const key = shapeKey(shape);
  await mkdir(root, { recursive: true });
  await removeStaleBuilds(root);
  const work = await mkdtemp(join(root, `${key}.build-`));
  await writeFile(join(work, OWNER_FILE), `${process.pid}\n`);
  // Unix socket paths are short (108 bytes): they go in /tmp.
  const sockets = await mkdtemp(join(tmpdir(), "wirelab-snapshot-"));
  const files = {
    agent: join(sockets, "agent"),
    console: join(sockets, "console"),
    qmp: join(sockets, "qmp"),
    consoleLog: join(work, "console.log"),
    pidfile: join(work, "qemu.pid"),
    log: join(work, "qemu.log"),
  };
  try {
    await writeInitrd(
      deps.run,
      image,
      { "etc/wirelab/guest.env": guestEnv() },
      join(work, "cfg"),
      join(work, "initrd"),
    );
    const argv = [
      "qemu-system-x86_64",
      ...snapshotArgs(shape, image.kernel, join(work, "initrd"), image.tools, files, work, key),
    ];
    const handle = deps.start(argv, {
      daemonizes: { pidfile: files.pidfile },
      output: { file: files.log },
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
    // QEMU ending (it failed, or an interrupt stopped it) ends every wait at once.
    const ended = handle.done.then((exit): never => {
      throw new WirelabError(`QEMU ended (${exit.signal ?? `code ${exit.code}`})`);
    });
    ended.catch(() => undefined);
    // Ends the save's waits once the build gave up on it.
    const giveUp = new AbortController();
    const save = async () => {
      await waitReady(files.agent, handle.ready, giveUp.signal);
      await warmUp(files.agent);
      await qmp(files.qmp, [
        { execute: "stop" },
        {
          execute: "migrate-set-capabilities",
          arguments: { capabilities: [{ capability: "x-ignore-shared", state: true }] },
        },
        {
          execute: "migrate",
          arguments: { uri: `exec:cat > ${shellQuote(join(work, "state"))}` },
        },
      ]);
      await migrationDone(files.qmp, SAVE_TIMEOUT_MS, giveUp.signal);
    };
    try {
      await Promise.race([ended, save()]);
    } catch (e) {
      giveUp.abort();
      deps.signal?.throwIfAborted();
      const log = (await readFile(files.log, "utf8").catch(() => "")).trim().split("\n").slice(-3);
      throw new SnapshotError(
        `the snapshot for VMs of ${describeShape(shape)} could not be made: ${(e as Error).message}${log.join("") ? ` (QEMU: ${log.join("; ")})` : ""}`,
      );
    } finally {
      await handle.stop();
    }
    const meta = {
      key,
      shape,
      created: new Date().toISOString(),
      buildMs: Math.round(performance.now() - began),
      ramBytes: await allocatedBytes(join(work, "ram")),
      stateBytes: (await stat(join(work, "state"))).size,
    };
    await writeFile(join(work, "shape.json"), `${JSON.stringify(meta, null, 2)}\n`);
    for (const f of ["console.log", "qemu.pid", "qemu.log", OWNER_FILE])
      await rm(join(work, f), { force: true });
    const final = join(root, key);
    await rm(final, { recursive: true, force: true });
    await rename(work, final).catch(async (e: NodeJS.ErrnoException) => {
      // Another wirelab made it at the same time: theirs is as good.
      if (e.code !== "ENOTEMPTY" && e.code !== "EEXIST") throw e;
    });
    const made = await readSnapshot(final);
    if (!made) throw new SnapshotError(`the snapshot in ${final} is incomplete`);
    return made;
  } finally {
    await rm(work, { recursive: true, force: true });
    await rm(sockets, { recursive: true, force: true });
  }
}

/**
 * Waits until QEMU's migration (a save, or a load on an incoming VM) has
 * completed (QMP `query-migrate`).
 *
 * @param signal - stops the waiting when aborted
 * @throws {WirelabError} when it failed or took longer than `timeoutMs`
 */
export async function migrationDone(
  qmpSocket: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    const [info] = (await qmp(qmpSocket, [{ execute: "query-migrate" }])) as [
      { status?: string; "error-desc"?: string },
    ];
    if (info.status === "completed") return;
    if (info.status === "failed" || info.status === "cancelled")
      throw new WirelabError(
        `migration ${info.status}${info["error-desc"] ? `: ${info["error-desc"]}` : ""}`,
      );
    if (Date.now() > deadline)
      throw new WirelabError(
        `migration not done in ${timeoutMs} ms (${info.status ?? "no status"})`,
      );
    await new Promise((r) => setTimeout(r, MIGRATION_POLL_MS));
  }
}

/**
 * The snapshot guest's QEMU arguments: the shape's devices, NICs on hubs of
 * their own, RAM in `work/ram` (exported for the tests, which hold a
 * restored VM's devices to these).
 */
export function snapshotArgs(
  shape: Omit<VmShape, "devices">,
  kernel: string,
  initrd: string,
  tools: string,
  files: VmSpec["files"] = {
    agent: "/agent",
    console: "/console",
    consoleLog: "/console.log",
    pidfile: "/pid",
    log: "/log",
    qmp: "/qmp",
  },
  work = "/",
  key = "",
): string[] {
  return vmArgs({
    name: `wl-snapshot-${key}`,
    accel: shape.accel,
    vm: {
      memoryMiB: shape.memoryMiB,
      cpus: shape.cpus,
      nic: shape.nic,
      managementMac: snapshotMac(0),
    },
    boot: guestBootArgs(kernel, initrd, tools),
    files,
    management: "",
    // Each NIC on a hub of its own with no other port: its frames go nowhere.
    nics: Array.from({ length: shape.nics }, (_, i) => ({
      netdev: `hubport,id=n${i + 1},hubid=${i + 1}`,
      mac: snapshotMac(i + 1),
    })),
    ram: { path: join(work, "ram"), share: true },
  });
}

/**
 * Run once before the save: starts the programs every restored guest needs
 * at once (perl for the reseed and clock, ip for the identity's batch) and
 * returns when they wait on their FIFOs (`guest/restore-wait`), so that the
 * snapshot holds them started and loaded: a restored VM runs no program for
 * them (0.2–0.3 s of CPU each under TCG; perl's first read from the tools
 * disk, 1.5 s, is paid once, here).
 */
const WARM_UP = "/bin/wirelab-restore-wait";

async function warmUp(agentSocket: string): Promise<void> {
  const agent = await AgentClient.connect(agentSocket);
  try {
    const r = await agent.runScript(WARM_UP, SAVE_TIMEOUT_MS);
    if (r.exitCode !== 0) throw new SnapshotError(`the guest's warm-up failed: ${r.stderr.trim()}`);
  } finally {
    agent.close();
  }
}

/**
 * The readiness a snapshot's guest is waited for with: QEMU runs, then its
 * agent answers within `timeoutMs`.
 */
export function agentAnswersWithin(
  timeoutMs: number,
): (agentSocket: string, started: Promise<void>, signal: AbortSignal) => Promise<void> {
  return async (agentSocket, started, signal) => {
    await started;
    (await AgentClient.waitReady(agentSocket, timeoutMs, signal)).close();
  };
}

/** Bytes a (sparse) file takes on disk. */
async function allocatedBytes(path: string): Promise<number> {
  const s = await stat(path);
  return s.blocks * 512;
}

/** QEMU's version (`qemu-system-x86_64 --version`, first line), read once per process. */
let qemuVersionRead: Promise<string> | undefined;
export function qemuVersion(run: Runner): Promise<string> {
  qemuVersionRead ??= run("qemu-system-x86_64", ["--version"]).then(
    (r) => r.stdout.split("\n")[0]?.trim() ?? "",
  );
  return qemuVersionRead;
}
