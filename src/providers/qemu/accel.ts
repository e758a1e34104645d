/**
 * Choosing QEMU's accelerator: KVM only when it really works. `/dev/kvm`
 * can exist and still be unusable (nested virtualization without the CPU
 * features, or far slower than TCG), so wirelab boots the guest kernel
 * without an initramfs under KVM: it panics at once, and with `panic=-1
 * -no-reboot` QEMU exits. If that takes longer than a deadline, TCG it is.
 * The answer is cached next to the image, per kernel and QEMU binary.
 */
import { accessSync, constants, statSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Runner } from "../../exec.js";
import { findOnPath } from "../../find-tool.js";
import type { GuestImage } from "../../image/build.js";

/** QEMU's accelerator: KVM, or TCG (software emulation). */
export type Accel = "kvm" | "tcg";

/** How long the KVM probe may take, in ms (TCG needs about 2.5 s here). */
export const KVM_PROBE_DEADLINE_MS = 8000;

/**
 * @returns `$WIRELAB_ACCEL` when set, else the cached or freshly probed answer
 */
export async function chooseAccel(run: Runner, image: GuestImage): Promise<Accel> {
  const forced = process.env.WIRELAB_ACCEL;
  if (forced === "kvm" || forced === "tcg") return forced;
  try {
    accessSync("/dev/kvm", constants.R_OK | constants.W_OK);
  } catch {
    return "tcg";
  }
  const qemu = findOnPath("qemu-system-x86_64") ?? "qemu-system-x86_64";
  const key = `${image.manifest.kernelRelease} ${qemu} ${statSync(qemu, { throwIfNoEntry: false })?.mtimeMs ?? 0}`;
  const cache = join(image.dir, "accel.json");
  try {
    const cached = JSON.parse(await readFile(cache, "utf8")) as { key: string; accel: Accel };
    if (cached.key === key) return cached.accel;
  } catch {
    // not probed yet
  }
  const r = await run(
    "qemu-system-x86_64",
    [
      "-accel",
      "kvm",
      "-m",
      "96",
      "-nodefaults",
      "-no-user-config",
      "-display",
      "none",
      "-serial",
      "none",
      "-kernel",
      image.kernel,
      "-append",
      "panic=-1 quiet",
      "-no-reboot",
    ],
    { check: false, timeoutMs: KVM_PROBE_DEADLINE_MS },
  );
  // QEMU exits 0 on the SIGTERM of a time-out too: only a boot that ended by itself counts.
  const accel: Accel =
    r.exitCode === 0 && !r.timedOut && r.durationMs < KVM_PROBE_DEADLINE_MS ? "kvm" : "tcg";
  await writeFile(
    cache,
    `${JSON.stringify({ key, accel, probedMs: Math.round(r.durationMs) })}\n`,
  ).catch(() => undefined);
  return accel;
}
