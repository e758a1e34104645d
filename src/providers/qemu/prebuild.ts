/**
 * Snapshots made ahead of time (`wirelab image build --snapshots`): the
 * common VM shapes, so that the first `up` of a lab restores its VMs
 * instead of making their snapshots first.
 */
import { defaultRunner, type Runner } from "../../exec.js";
import type { GuestImage } from "../../image/build.js";
import type { Reporter } from "../../log.js";
import { deviceSpec } from "../../plan/devices/index.js";
import { DEFAULT_VM_MEMORY_MIB } from "../../plan/kinds/vm.js";
import { type ProcessStarter, startProcess } from "../../process.js";
import { chooseAccel } from "./accel.js";
import {
  agentAnswersWithin,
  buildSnapshot,
  describeShape,
  findSnapshot,
  qemuVersion,
  type ShapeSpec,
  type Snapshot,
  vmShape,
} from "./snapshot.js";

/** How long a snapshot's guest may take to boot, in ms. */
const BOOT_TIMEOUT_MS = 180_000;

/**
 * The common shapes: a host (96 MiB) and a router (`device: frr`'s memory),
 * one CPU, virtio NICs, 1 to 4 lab NICs.
 */
export function commonShapes(): ShapeSpec[] {
  const memories = [DEFAULT_VM_MEMORY_MIB, deviceSpec("frr").vmMemoryMiB];
  return memories.flatMap((memoryMiB) =>
    [1, 2, 3, 4].map((nics) => ({ memoryMiB, cpus: 1, nic: "virtio-net-pci" as const, nics })),
  );
}

/** What {@link prebuildSnapshots} did, per shape. */
export interface PrebuiltSnapshot {
  readonly snapshot: Snapshot;
  /** false when it was there already. */
  readonly built: boolean;
}

/**
 * Makes the snapshots of the given shapes that do not exist yet, two at a
 * time (each is a boot: CPU-bound).
 *
 * @throws {SnapshotError} when one cannot be made
 */
export async function prebuildSnapshots(
  image: GuestImage,
  shapes: readonly ShapeSpec[],
  options: { run?: Runner; start?: ProcessStarter; reporter?: Reporter } = {},
): Promise<PrebuiltSnapshot[]> {
  const run = options.run ?? defaultRunner;
  const start = options.start ?? startProcess;
  const accel = await chooseAccel(run, image);
  const qemu = await qemuVersion(run);
  const out: PrebuiltSnapshot[] = [];
  const queue = [...shapes];
  let done = 0;
  const worker = async () => {
    for (let spec = queue.shift(); spec; spec = queue.shift()) {
      const shape = vmShape(spec, image, accel, qemu);
      const found = await findSnapshot(image, shape);
      const snapshot =
        found ??
        (await buildSnapshot({ run, start }, image, shape, agentAnswersWithin(BOOT_TIMEOUT_MS)));
      out.push({ snapshot, built: !found });
      options.reporter?.progress?.({
        step: `VM snapshots (${describeShape(shape)})`,
        done: ++done,
        total: shapes.length,
      });
    }
  };
  await Promise.all([worker(), worker()]);
  return out;
}
