/**
 * `restart`: stop and start one node, leaving its peers alone. What that
 * means is the node's kind's: a namespace is rebuilt with every wire it had
 * (its peers get their ends, addresses and routes back); a VM's QEMU stops
 * and starts while its wires (taps, recorded UDP ports) stay, so no peer
 * notices more than a link going down and up.
 */
import { LabError } from "../errors.js";
import type { Reporter } from "../log.js";
import { deviceRuntime } from "../providers/devices.js";
import { runExecLines } from "../providers/exec/provider.js";
import { nodeKind } from "../providers/kinds.js";
import type { NodeSession } from "../providers/session.js";
import { type LabDeps, resolveDeps } from "./deps.js";
import { findNode } from "./exec.js";
import { type LabTarget, requireLab } from "./resolve.js";
import { withSession } from "./session.js";
import { splicedNodes, unspliceWhere } from "./splice.js";

/** Options of {@link restartNode}. */
export interface RestartOptions extends LabDeps {
  readonly reporter?: Reporter;
  /** Aborting stops the node's start: a VM is left stopped, for `up` to start again. */
  readonly signal?: AbortSignal;
}

/**
 * Restarts a node and waits until it answers again.
 *
 * @throws {LabError} for an unknown node or a lab that is not up
 * @throws {CommandError} when the kernel refuses to rebuild a namespace node
 * @throws {AgentError} when a VM does not come back
 * @throws {LabError} when `options.signal` aborted the start (the node is left for `up` to put back)
 */
export async function restartNode(
  target: LabTarget,
  node: string,
  options: RestartOptions = {},
): Promise<{ durationMs: number }> {
  const started = performance.now();
  const deps = resolveDeps(options);
  deps.preflight.requireRoot("restart");
  const state = await requireLab(deps.store, target);
  const n = findNode(state, node);
  const release = await deps.store.lock(state.lab);
  try {
    // A spliced link of the node goes back onto its own wire: what diverts it goes with the node.
    const current = (await deps.store.read(state.lab)) ?? state;
    const moved = await unspliceWhere(deps, current, (s) =>
      splicedNodes(s, current.plan).includes(node),
    );
    for (const name of moved.moved)
      options.reporter?.info?.(
        `${name}: moved back onto its own wire for the restart; its live impairments are dropped`,
      );
    // The node's software stops first (a namespace router's FRR holds its namespace) and starts after.
    const restart = async (s: NodeSession) => {
      const device = deviceRuntime(n);
      await device.stop(s, n);
      await nodeKind(n).restart(s, n);
      await device.start(s, n);
      // What its exec lines did was lost with it (a rebuilt namespace, a rebooted VM).
      await runExecLines(s, s.images, n);
    };
    await withSession(state, deps, restart, {
      ...(options.reporter ? { reporter: options.reporter } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (e) {
    if (options.signal?.aborted)
      throw new LabError(
        `restart of ${node} was interrupted; ${node} is stopped; "wirelab up ${state.file}" starts it again`,
      );
    throw e;
  } finally {
    await release();
  }
  return { durationMs: performance.now() - started };
}
