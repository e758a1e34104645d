/**
 * `restart`: stop and start one node, leaving its peers alone. A namespace
 * node is deleted and rebuilt with every wire it had (its peers get their
 * ends, addresses and routes back). A VM's wires
 * outlive its QEMU (persistent taps; UDP ports kept in the lab's record), so
 * the restarted VM finds them as they were: no peer reboots, unlike QEMU's
 * TCP tunnels (seed 001).
 */
import { LabError } from "../errors.js";
import { defaultRunner, type Runner } from "../exec.js";
import { readImage } from "../image/build.js";
import type { Reporter } from "../log.js";
import { restartNetnsNode } from "../providers/netns/provider.js";
import { chooseAccel } from "../providers/qemu/accel.js";
import { startVms, stopVms } from "../providers/qemu/provider.js";
import { vmFiles } from "./access.js";
import { findNode } from "./exec.js";
import { requireRoot } from "./preflight.js";
import { type LabTarget, requireLab } from "./resolve.js";
import { StateStore } from "./state.js";

export interface RestartOptions {
  /** @default defaultRunner */
  readonly run?: Runner;
  /** @default new StateStore() */
  readonly store?: StateStore;
  readonly reporter?: Reporter;
}

/**
 * Restarts a node and waits until it answers again.
 *
 * @throws {LabError} for an unknown node or a lab that is not up
 * @throws {CommandError} when the kernel refuses to rebuild a namespace node
 * @throws {AgentError} when the VM does not come back
 */
export async function restartNode(
  target: LabTarget,
  node: string,
  options: RestartOptions = {},
): Promise<{ durationMs: number }> {
  const started = performance.now();
  const run = options.run ?? defaultRunner;
  const store = options.store ?? new StateStore();
  const state = await requireLab(store, target);
  const n = findNode(state, node);
  requireRoot("restart");
  if (!n.vm) {
    const release = await store.lock(state.lab);
    try {
      await restartNetnsNode(state.plan, node, { run });
    } finally {
      await release();
    }
    return { durationMs: performance.now() - started };
  }
  const image = await readImage();
  if (!image || !state.ports)
    throw new LabError(
      `lab "${state.lab}" has no guest image or ports recorded; run "wirelab up" again`,
    );
  const release = await store.lock(state.lab);
  try {
    const files = (x: string) => vmFiles(store, state.lab, x);
    await stopVms(state.lab, [node], files);
    await startVms(state.plan, {
      run,
      image,
      accel: await chooseAccel(run, image),
      ports: state.ports,
      files,
      only: [node],
      ...(options.reporter ? { reporter: options.reporter } : {}),
    });
  } finally {
    await release();
  }
  return { durationMs: performance.now() - started };
}
