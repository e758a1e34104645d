/**
 * `wirelab stop NODE` and `wirelab start NODE`: a node is stopped with its
 * wires parked, and started again with the same identity and wires. What
 * stopping means is the node's kind's (`NodeKind.stop`: a namespace's
 * processes killed and its interfaces down; a VM's QEMU stopped). Its p2p
 * partners see carrier down: a vEth peer by itself, a VM's NIC through QMP
 * `set_link`, a namespace end behind a host device (tap and daemon links)
 * by that device going down. A LAN's other members keep their carrier, as
 * on a switch. The record lists stopped nodes (`LabState.stopped`);
 * `status` shows them, and a whole-lab `up` starts them again.
 */
import { LabError } from "../errors.js";
import type { Reporter } from "../log.js";
import { transportOf } from "../plan/transports/index.js";
import type { EndpointPlan, LinkPlan } from "../plan/types.js";
import { deviceRuntime } from "../providers/devices.js";
import { runExecLines } from "../providers/exec/provider.js";
import { nodeKind } from "../providers/kinds.js";
import type { NodeSession } from "../providers/session.js";
import { type LabDeps, type ResolvedDeps, resolveDeps } from "./deps.js";
import { findNode } from "./exec.js";
import { type LabTarget, requireLab } from "./resolve.js";
import { withSession } from "./session.js";
import { splicedNodes, unspliceWhere } from "./splice.js";
import type { LabState } from "./state.js";

/** Options of {@link stopNode} and {@link startNode}. */
export interface StopOptions extends LabDeps {
  readonly reporter?: Reporter;
  /** Aborting stops a VM's start: it is left stopped, for `up` or `start` to start again. */
  readonly signal?: AbortSignal;
}

/**
 * Stops a node, its wires parked.
 *
 * @returns whether it was running (false: it was stopped already)
 * @throws {LabError} for an unknown node or a lab that is not up
 */
export async function stopNode(
  target: LabTarget,
  node: string,
  options: StopOptions = {},
): Promise<{ changed: boolean; durationMs: number }> {
  const started = performance.now();
  const deps = resolveDeps(options);
  deps.preflight.requireRoot("stop");
  const first = await requireLab(deps.store, target);
  findNode(first, node);
  const release = await deps.store.lock(first.lab);
  try {
    let state = (await deps.store.read(first.lab)) ?? first;
    if (state.stopped?.includes(node)) return { changed: false, durationMs: 0 };
    // Its splices go back onto their own wires: what diverts them goes with the node.
    const moved = await unspliceWhere(deps, state, (s) =>
      splicedNodes(s, state.plan).includes(node),
    );
    for (const name of moved.moved)
      options.reporter?.info?.(
        `${name}: moved back onto its own wire; its live impairments are dropped`,
      );
    state = await record(deps, moved.state, [...(moved.state.stopped ?? []), node]);
    const stopping = state;
    await withSession(stopping, deps, async (s) => {
      const n = findNode(stopping, node);
      await deviceRuntime(n).stop(s, n);
      for (const { partner, link } of partners(stopping, node))
        if (!stopping.stopped?.includes(partner.node))
          await park(s, stopping, link, partner, false);
      await nodeKind(n).stop(s, n);
    });
  } finally {
    await release();
  }
  return { changed: true, durationMs: performance.now() - started };
}

/**
 * Starts a stopped node and waits until it answers.
 *
 * @returns whether it was stopped (false: it was running)
 * @throws {LabError} for an unknown node or a lab that is not up
 * @throws {LabError} when `options.signal` aborted the start (the node stays stopped)
 */
export async function startNode(
  target: LabTarget,
  node: string,
  options: StopOptions = {},
): Promise<{ changed: boolean; durationMs: number }> {
  const started = performance.now();
  const deps = resolveDeps(options);
  deps.preflight.requireRoot("start");
  const first = await requireLab(deps.store, target);
  findNode(first, node);
  const release = await deps.store.lock(first.lab);
  try {
    const state = (await deps.store.read(first.lab)) ?? first;
    if (!state.stopped?.includes(node)) return { changed: false, durationMs: 0 };
    await startStopped(deps, state, [node], options);
  } catch (e) {
    if (options.signal?.aborted)
      throw new LabError(`start of ${node} was interrupted; ${node} is still stopped`);
    throw e;
  } finally {
    await release();
  }
  return { changed: true, durationMs: performance.now() - started };
}

/**
 * Starts stopped nodes of a lab whose lock the caller holds (`start`, and
 * `up`, which starts them all), and records them running.
 *
 * @returns the lab's record
 */
export async function startStopped(
  deps: ResolvedDeps,
  state: LabState,
  nodes: readonly string[],
  context: { readonly reporter?: Reporter; readonly signal?: AbortSignal } = {},
): Promise<LabState> {
  let current = state;
  for (const node of nodes) {
    const running = current;
    await withSession(
      running,
      deps,
      async (s) => {
        const n = findNode(running, node);
        await nodeKind(n).start(s, n);
        await deviceRuntime(n).start(s, n);
        await runExecLines(s, s.images, n);
        const rest = running.stopped?.filter((x) => x !== node) ?? [];
        for (const { partner, link, own } of partners(running, node)) {
          if (rest.includes(partner.node)) {
            // Its partner is still stopped: a namespace partner's end, made again with the
            // node's wires, goes down again, and the node's own end is parked.
            const p = findNode(running, partner.node);
            if (s.view.namespace(partner.node) !== undefined)
              await nodeKind(p).setLinkState(s, p, partner.ifname, false);
            await park(s, running, link, own, false);
          } else await park(s, running, link, partner, true);
        }
      },
      context,
    );
    current = await record(deps, running, running.stopped?.filter((x) => x !== node) ?? []);
    context.reporter?.info?.(`started ${node}`);
  }
  return current;
}

/** The far ends of a node's p2p links, with its own end. */
function partners(
  state: LabState,
  node: string,
): { link: LinkPlan; own: EndpointPlan; partner: EndpointPlan }[] {
  return state.plan.links.flatMap((l) => {
    if (l.type !== "p2p") return [];
    const [a, b] = l.endpoints as readonly [EndpointPlan, EndpointPlan];
    if (a.node === node) return [{ link: l, own: a, partner: b }];
    if (b.node === node) return [{ link: l, own: b, partner: a }];
    return [];
  });
}

/**
 * Takes the carrier from an endpoint (`up: false`) or gives it back,
 * without touching its node's configuration: a VM's NIC through its kind
 * (QMP `set_link`), a namespace end through the host device facing it.
 * A vEth end needs nothing: its peer going down takes its carrier.
 */
async function park(
  s: NodeSession,
  state: LabState,
  link: LinkPlan,
  ep: EndpointPlan,
  up: boolean,
): Promise<void> {
  const n = findNode(state, ep.node);
  if (s.view.namespace(ep.node) === undefined) {
    if (state.stopped?.includes(ep.node) && up) return;
    await nodeKind(n)
      .setLinkState(s, n, ep.ifname, up)
      .catch(() => undefined);
    return;
  }
  const device = transportOf(link).carrierDevice?.(link, ep);
  if (device)
    await s.run("ip", ["link", "set", "dev", device, up ? "up" : "down"], { check: false });
}

async function record(
  deps: ResolvedDeps,
  state: LabState,
  stopped: readonly string[],
): Promise<LabState> {
  const { version: _v, updated: _u, stopped: _s, ...rest } = state;
  return deps.store.write({ ...rest, ...(stopped.length ? { stopped } : {}) });
}
