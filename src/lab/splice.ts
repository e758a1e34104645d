/**
 * Splicing a link onto the wire daemon live, and back (docs/design.md,
 * "Splicing"). `wirelab link impair` on a link the daemon does not carry
 * moves it (a p2p link whole, one port of a LAN) onto a daemon relay while
 * frames flow: the ways in are made first (helper vEths, QEMU chardevs),
 * the daemon starts carrying the relay, its impairments are set, and only
 * then are the link's frames diverted, each side by one filter. Moving back
 * undoes it in reverse: frames take their own wire again at once, and the
 * daemon's way in stays until what it still holds back is delivered.
 *
 * The record keeps each splice (`LabState.spliced`) with its ports and
 * helpers, written before each step, so `down` removes it with the lab and
 * an interrupted splice is moved back by the next `link` command on it.
 */
import { LabError } from "../errors.js";
import { spliceHelperName } from "../plan/names.js";
import { allPorts, type LabPorts } from "../plan/ports.js";
import { transportOf } from "../plan/transports/index.js";
import type { SplicePort } from "../plan/transports/types.js";
import type { EndpointPlan, LabPlan, LinkPlan, NodePlan } from "../plan/types.js";
import { PlanView } from "../plan/view.js";
import { labLayout } from "../providers/layout.js";
import { listHostLinks } from "../providers/netns/kernel.js";
import {
  divertDevice,
  prepareDeviceSide,
  removeHelper,
  undivertDevice,
} from "../providers/netns/splice.js";
import { divertNic, prepareNic, removeNic, undivertNic } from "../providers/qemu/splice.js";
import { connectDaemon, reloadWire, wireProvider } from "../providers/wire/provider.js";
import { type SpliceRecord, splicePortKey, splicePortRequests } from "../providers/wire/splice.js";
import type { WireClient } from "../wire/client.js";
import type { ResolvedDeps } from "./deps.js";
import type { LabState } from "./state.js";

/** Longest wait for the daemon to deliver what a splice still holds back, ms. */
const DRAIN_TIMEOUT_MS = 10_000;

/** How long nothing must come in before a splice counts as drained, ms. */
const DRAIN_QUIET_MS = 50;

/** The splice that carries NODE IFNAME's frames on `link`, if any. */
export function spliceOf(
  state: LabState,
  link: LinkPlan,
  node: string,
  ifname: string,
): SpliceRecord | undefined {
  const name = `${node}:${ifname}`;
  return state.spliced?.find(
    (s) => s.link === link.name && (link.type === "p2p" || s.ports[0].name === name),
  );
}

/**
 * Splices `link` (for endpoint `ep`) onto the wire daemon: `configure` sets
 * its impairments and state on the daemon before any frame is diverted.
 *
 * @returns the lab's record with the splice, `spliced`
 * @throws {LabError} when the transport cannot be spliced or a step fails (what was done is undone)
 */
export async function spliceLink(
  deps: ResolvedDeps,
  state: LabState,
  link: LinkPlan,
  ep: EndpointPlan,
  configure: (client: WireClient, record: SpliceRecord) => Promise<void>,
): Promise<{ state: LabState; record: SpliceRecord }> {
  const view = new PlanView(state.plan);
  const plan = transportOf(link).splice?.(link, ep, view);
  if (!plan) throw new LabError(`link "${link.name}" is carried by the wire daemon already`);
  if (plan.ports.some((p) => p.side.type === "device"))
    deps.preflight.requireTools(["socat", "tc", "ethtool"]);
  const others = (await deps.store.list()).filter((s) => s.lab !== state.lab);
  const taken = new Set([...others.flatMap((o) => allPorts(o.ports)), ...allPorts(state.ports)]);
  const fresh = await deps.allocatePorts(state.lab, splicePortRequests(plan), taken);
  // Never a name the host has: a helper is only ever one this splice made.
  const usedHelpers = new Set<string | null>([
    ...(state.spliced ?? []).flatMap((s) => s.helpers),
    ...(await listHostLinks(deps.run)),
  ]);
  let n = 0;
  const helper = () => {
    let name = spliceHelperName(state.lab, ++n);
    while (usedHelpers.has(name)) name = spliceHelperName(state.lab, ++n);
    usedHelpers.add(name);
    return name;
  };
  const record: SpliceRecord = {
    ...plan,
    helpers: plan.ports.map((p) => (p.side.type === "device" ? helper() : null)),
    status: "splicing",
  };
  let current: LabState = {
    ...state,
    ports: {
      udp: { ...state.ports.udp, ...fresh.udp },
      tcp: { ...state.ports.tcp, ...fresh.tcp },
    },
    spliced: [...(state.spliced ?? []), record],
    // The daemon goes with the lab at down, also when only splices use it.
    owned: state.owned.some((s) => s.provider === wireProvider.name)
      ? state.owned
      : [...state.owned, { provider: wireProvider.name, owned: wireProvider.owns(state.plan) }],
  };
  await write(deps, current);
  try {
    await eachSide(deps, current, record, {
      device: (side, h) => prepareDeviceSide(deps.run, side, h),
      nic: (layout, node, ifname) => prepareNic(layout, node, ifname),
    });
    await reloadWire(wireContext(deps, current), current.spliced ?? []);
    const client = await connectDaemon(state.lab, labLayout(deps.store.labDir(state.lab)).wire);
    try {
      await configure(client, record);
    } finally {
      client.close();
    }
    await eachSide(deps, current, record, {
      device: (side, h) => divertDevice(deps.run, side, h),
      nic: (layout, node, ifname) => divertNic(layout, node, ifname),
    });
  } catch (e) {
    await unspliceLink(deps, current, record).catch(() => undefined);
    throw new LabError(
      `link "${link.name}" could not be moved onto the wire daemon: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  const done: SpliceRecord = { ...record, status: "spliced" };
  current = { ...current, spliced: replace(current, record, done) };
  await write(deps, current);
  return { state: current, record: done };
}

/**
 * Moves a spliced link back onto its own wire and removes what carried it
 * through the daemon; skips what is gone, so it can always run again.
 *
 * @returns the lab's record without the splice
 * @throws {CommandError} when the kernel refuses a step (the record keeps the splice, `unsplicing`)
 */
export async function unspliceLink(
  deps: ResolvedDeps,
  state: LabState,
  record: SpliceRecord,
): Promise<LabState> {
  const leaving: SpliceRecord = { ...record, status: "unsplicing" };
  let current: LabState = { ...state, spliced: replace(state, record, leaving) };
  await write(deps, current);
  await eachSide(deps, current, record, {
    device: (side) => undivertDevice(deps.run, side),
    nic: (layout, node, ifname) => undivertNic(layout, node, ifname),
  });
  await drain(deps, current, record);
  const rest = (current.spliced ?? []).filter((s) => s.name !== record.name);
  await reloadWire(wireContext(deps, current), rest).catch(() => undefined);
  await eachSide(deps, current, record, {
    device: (_side, h) => removeHelper(deps.run, h),
    nic: (layout, node, ifname) => removeNic(layout, node, ifname),
  });
  const gone = new Set(
    record.ports.flatMap((p) => [
      splicePortKey(record.name, p.name),
      `${splicePortKey(record.name, p.name)}@wire`,
    ]),
  );
  const udp = Object.fromEntries(Object.entries(current.ports.udp).filter(([k]) => !gone.has(k)));
  const { spliced: _s, ...without } = current;
  current = {
    ...without,
    ...(rest.length ? { spliced: rest } : {}),
    ports: { ...current.ports, udp },
  };
  await write(deps, current);
  return current;
}

/**
 * Moves back every splice `affected` picks (before the lab is changed
 * under it: an apply, a node restarted or stopped).
 *
 * @returns the record, and the daemon links moved back
 */
export async function unspliceWhere(
  deps: ResolvedDeps,
  state: LabState,
  affected: (s: SpliceRecord) => boolean,
): Promise<{ state: LabState; moved: string[] }> {
  let current = state;
  const moved: string[] = [];
  for (const s of state.spliced ?? []) {
    if (!affected(s)) continue;
    current = await unspliceLink(deps, current, s);
    moved.push(s.name);
  }
  return { state: current, moved };
}

/** Deletes the helper vEths of splices (both ends), skipping those already gone: for `down`. */
export async function removeSpliceHelpers(
  deps: { readonly run: ResolvedDeps["run"] },
  spliced: readonly SpliceRecord[],
): Promise<void> {
  for (const h of spliced.flatMap((s) => s.helpers)) if (h) await removeHelper(deps.run, h);
}

/**
 * Whether a change of the lab's plan touches what a splice diverts: its
 * link changes or goes, or a node of its changes (it may be rebuilt).
 */
export function spliceTouched(s: SpliceRecord, before: LabPlan, after: LabPlan): boolean {
  const same = <T extends { name: string }>(a: readonly T[], b: readonly T[], name: string) =>
    JSON.stringify(a.find((x) => x.name === name)) ===
    JSON.stringify(b.find((x) => x.name === name));
  if (!same(before.links, after.links, s.link)) return true;
  return splicedNodes(s, before).some((n) => !same(before.nodes, after.nodes, n));
}

/** Nodes whose interfaces a splice takes frames from. */
export function splicedNodes(
  s: SpliceRecord,
  plan: { readonly links: readonly LinkPlan[] },
): string[] {
  const link = plan.links.find((l) => l.name === s.link);
  const names = new Set(s.ports.map((p) => p.name));
  return (link?.endpoints ?? [])
    .filter((e) => names.has(`${e.node}:${e.ifname}`))
    .map((e) => e.node);
}

/** Runs `step` on each side of a splice: a device side with its helper, a VM NIC once. */
async function eachSide(
  deps: ResolvedDeps,
  state: LabState,
  record: SpliceRecord,
  step: {
    device: (side: { namespace: string; device: string }, helper: string) => Promise<void>;
    nic: (layout: ReturnType<typeof labLayout>, node: NodePlan, ifname: string) => Promise<void>;
  },
): Promise<void> {
  const layout = labLayout(deps.store.labDir(state.lab));
  const nics = new Set<string>();
  for (const [i, p] of record.ports.entries()) {
    const side: SplicePort["side"] = p.side;
    if (side.type === "device") {
      await step.device(side, record.helpers[i] as string);
      continue;
    }
    const key = `${side.node}:${side.ifname}`;
    if (nics.has(key)) continue;
    nics.add(key);
    const node = state.plan.nodes.find((x) => x.name === side.node) as NodePlan;
    await step.nic(layout, node, side.ifname);
  }
}

/**
 * Waits until the daemon has delivered what the splice still holds back
 * (delay, rate) and nothing more comes in: frames on their way through the
 * helpers and socats when the diverting filters went are delivered too.
 */
async function drain(deps: ResolvedDeps, state: LabState, record: SpliceRecord): Promise<void> {
  let client: WireClient;
  try {
    client = await connectDaemon(state.lab, labLayout(deps.store.labDir(state.lab)).wire);
  } catch {
    return; // no daemon: nothing is held back
  }
  try {
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    let seen = -1;
    while (Date.now() < deadline) {
      const link = (await client.show()).links.find((l) => l.name === record.name);
      if (!link) return;
      const received = link.ports.reduce((n, p) => n + p.stats.rxFrames, 0);
      if (received === seen && link.ports.every((p) => p.queued === 0)) return;
      seen = received;
      await new Promise((r) => setTimeout(r, DRAIN_QUIET_MS));
    }
  } finally {
    client.close();
  }
}

function wireContext(deps: ResolvedDeps, state: LabState) {
  return {
    plan: state.plan,
    ports: state.ports as LabPorts,
    layout: labLayout(deps.store.labDir(state.lab)),
    start: deps.start,
  };
}

function replace(state: LabState, from: SpliceRecord, to: SpliceRecord): SpliceRecord[] {
  return (state.spliced ?? []).map((s) => (s.name === from.name ? to : s));
}

async function write(deps: ResolvedDeps, state: LabState): Promise<void> {
  const { version: _v, updated: _u, ...rest } = state;
  await deps.store.write(rest);
}
