/**
 * `wirelab link`: a link's state and impairments, live.
 * - Impairments are the wire daemon's, per direction (the frames one
 *   endpoint sends). A link it does not carry (vEth, tap, UDP tunnel, a LAN
 *   port on a bridge) is spliced onto it live first (`splice.ts`), and moved
 *   back once its impairments are cleared and it is up.
 * - `link down/up`: each end's node kind cuts or restores its end (a VM's NIC
 *   loses carrier, a namespace interface goes down, so a vEth's peer sees no
 *   carrier), and the daemon stops or resumes carrying a port of its links.
 *   A p2p link is cut at both ends; a LAN at the one port.
 */
import { LabError, UsageError } from "../errors.js";
import {
  type Impairment,
  type ImpairmentInput,
  isImpaired,
  NO_IMPAIRMENT,
  parseImpairment,
} from "../impairment.js";
import { carriedByDaemon, transportOf } from "../plan/transports/index.js";
import type { LinkPlan, NodePlan, TransportName } from "../plan/types.js";
import { PlanView } from "../plan/view.js";
import { nodeKind } from "../providers/kinds.js";
import { labLayout } from "../providers/layout.js";
import { connectDaemon } from "../providers/wire/provider.js";
import type { SpliceRecord } from "../providers/wire/splice.js";
import type { WireClient, WireShow } from "../wire/client.js";
import { type LabDeps, type ResolvedDeps, resolveDeps } from "./deps.js";
import { findNode } from "./exec.js";
import { type LabTarget, requireLab } from "./resolve.js";
import { withSession } from "./session.js";
import { spliceLink, spliceOf, unspliceLink } from "./splice.js";
import type { LabState } from "./state.js";

/** One endpoint of a link, as `link show` reports it. */
export interface LinkEndpointView {
  readonly node: string;
  readonly ifname: string;
  /** Carried (true) or cut (false); undefined where wirelab does not know. */
  readonly up?: boolean;
  /** Impairments of the frames this endpoint sends. */
  readonly impair?: Impairment;
  /** Frames this endpoint sent onto the link, through the daemon. */
  readonly txFrames?: number;
  /** Frames the link delivered to this endpoint, through the daemon. */
  readonly rxFrames?: number;
  /** Frames its impairments dropped (loss and rate queue). */
  readonly dropped?: number;
  /** On a spliced LAN port: impairments of the frames the LAN sends it. */
  readonly receives?: Impairment;
}

/** One link, as `link show` reports it. */
export interface LinkView {
  readonly name: string;
  readonly transport: TransportName;
  /**
   * Whether the wire daemon carries it: `declared` (its transport is the
   * daemon's), `spliced` (moved onto it live, `why` says for what), or `no`.
   */
  readonly relayed: "declared" | "spliced" | "no";
  /** Why it is spliced: what is impaired or cut, and where. */
  readonly why?: string;
  readonly endpoints: readonly LinkEndpointView[];
}

/** Options of the `link` commands. */
export type LinkOptions = LabDeps;

/** What a live change did. */
export interface LinkChange {
  /** For `impair`: what each port now sends with (the frames that port sends). */
  readonly set?: readonly { readonly port: string; readonly impairment: Impairment }[];
  /**
   * Why the wire daemon could not save the change (a read-only state
   * directory): it applies until the daemon restarts. Undefined when saved
   * or when the daemon was not involved.
   */
  readonly notSaved?: string;
  /** The daemon link the change spliced the link onto (it was on its own wire). */
  readonly spliced?: string;
  /** The change left nothing impaired or cut: the link is back on its own wire. */
  readonly movedBack?: boolean;
}

/**
 * Every link of a lab with its endpoints' state, impairments and counters.
 *
 * @throws {LabError} when the lab is not up, or its daemon does not answer
 * @throws {PermissionError} without root
 */
export async function showLinks(target: LabTarget, options: LinkOptions = {}): Promise<LinkView[]> {
  const deps = resolveDeps(options);
  deps.preflight.requireRoot("link show");
  const state = await requireLab(deps.store, target);
  const wire = await daemonShow(deps, state);
  return state.plan.links.map((l): LinkView => {
    const declared = carriedByDaemon(l);
    const splices = (state.spliced ?? []).filter((s) => s.link === l.name);
    const daemonLinks = declared ? [l.name] : splices.map((s) => s.name);
    const shown = wire?.links.filter((x) => daemonLinks.includes(x.name)) ?? [];
    const why = splices.length ? spliceWhy(splices, shown) : undefined;
    return {
      name: l.name,
      transport: l.transport,
      relayed: declared ? "declared" : splices.length ? "spliced" : "no",
      ...(why ? { why } : {}),
      endpoints: l.endpoints.map((e) => {
        const name = `${e.node}:${e.ifname}`;
        const w = shown.find((x) => x.ports.some((p) => p.name === name));
        const p = w?.ports.find((x) => x.name === name);
        if (!w || !p) return { node: e.node, ifname: e.ifname };
        // A spliced LAN port's other side is the LAN: what it sends, this port receives.
        const lanSide =
          l.type !== "p2p" && !declared ? w.ports.find((x) => x.name !== name) : undefined;
        // The daemon counts what it received from a port (the endpoint sent it) and sent to it.
        return {
          node: e.node,
          ifname: e.ifname,
          up: p.up,
          impair: p.impair,
          txFrames: p.stats.rxFrames,
          rxFrames: p.stats.txFrames,
          dropped: p.stats.impair.lost + p.stats.impair.overflow,
          ...(lanSide ? { receives: lanSide.impair } : {}),
        };
      }),
    };
  });
}

/** What a link's splices are for: `impaired at r1:eth1, cut at r2:eth1`, or their state while they change. */
function spliceWhy(splices: readonly SpliceRecord[], shown: WireShow["links"]): string {
  const parts: string[] = [];
  for (const s of splices) {
    if (s.status !== "spliced") {
      parts.push(`${s.status} ${s.name}`);
      continue;
    }
    const ports = shown.find((x) => x.name === s.name)?.ports ?? [];
    const impaired = ports.filter((p) => isImpaired(p.impair)).map((p) => p.name);
    const cut = ports.filter((p) => !p.up).map((p) => p.name);
    if (impaired.length)
      parts.push(`what ${impaired.join(", ")} send${impaired.length === 1 ? "s" : ""} is impaired`);
    if (cut.length) parts.push(`cut at ${cut.join(", ")}`);
    if (!impaired.length && !cut.length) parts.push(`${s.name} (nothing impaired)`);
  }
  return parts.join("; ");
}

/**
 * Sets the impairments of the frames NODE IFNAME sends (`direction: out`),
 * receives (`in`), or both; keys not given keep their value.
 *
 * @throws {UsageError} for a bad value (before anything is looked up)
 * @throws {LabError} for an unknown node or interface, or a link the daemon does not carry
 */
export async function impairLink(
  target: LabTarget,
  node: string,
  ifname: string,
  input: ImpairmentInput & { readonly clear?: boolean },
  direction: "in" | "out" | "both" = "both",
  options: LinkOptions = {},
): Promise<LinkChange> {
  const deps = resolveDeps(options);
  // A bad value is bad usage, said before anything is looked up.
  const checked = parseImpairment(input, NO_IMPAIRMENT);
  if (Array.isArray(checked)) throw new UsageError(checked.map((p) => p.message).join("; "));
  deps.preflight.requireRoot("link impair");
  const state = await requireLab(deps.store, target);
  const link = linkOf(state, findNode(state, node), ifname);
  const self = `${node}:${ifname}`;
  const release = await deps.store.lock(state.lab);
  try {
    let current = (await deps.store.read(state.lab)) ?? state;
    // The daemon's ports of this link: all its endpoints, or the two of its splice.
    const portsOf = (names: readonly string[]) =>
      // "in" impairs what the other ends send; on a LAN that is every other port.
      direction === "out"
        ? [self]
        : direction === "in"
          ? names.filter((p) => p !== self)
          : [...names];
    const set: { port: string; impairment: Impairment }[] = [];
    let notSaved: string | undefined;
    const impair = async (client: WireClient, daemonLink: string, names: readonly string[]) => {
      const shown = await client.show();
      const now = shown.links.find((l) => l.name === daemonLink);
      for (const port of portsOf(names)) {
        const base = input.clear
          ? NO_IMPAIRMENT
          : (now?.ports.find((p) => p.name === port)?.impair ?? NO_IMPAIRMENT);
        const parsed = parseImpairment(input, base);
        if (Array.isArray(parsed)) throw new UsageError(parsed.map((p) => p.message).join("; "));
        notSaved = (await client.impair(daemonLink, port, parsed)) ?? notSaved;
        set.push({ port, impairment: parsed });
      }
    };
    if (carriedByDaemon(link)) {
      const names = link.endpoints.map((e) => `${e.node}:${e.ifname}`);
      await withDaemon(deps, current, (client) => impair(client, link.name, names));
      return { set, ...(notSaved ? { notSaved } : {}) };
    }
    let record = spliceOf(current, link, node, ifname);
    // An interrupted splice (or move back) is moved back first, then done again as asked.
    if (record && record.status !== "spliced") {
      current = await unspliceLink(deps, current, record);
      record = undefined;
    }
    if (!record) {
      const wanted = parseImpairment(input, NO_IMPAIRMENT);
      if (!Array.isArray(wanted) && !isImpaired(wanted)) {
        // Nothing to impair on a link on its own wire: it stays there.
        const plan = transportOf(link).splice?.(link, { node, ifname }, new PlanView(current.plan));
        const names = plan?.ports.map((p) => p.name) ?? [self];
        return { set: portsOf(names).map((port) => ({ port, impairment: NO_IMPAIRMENT })) };
      }
      const r = await spliceLink(deps, current, link, { node, ifname }, (client, rec) =>
        impair(
          client,
          rec.name,
          rec.ports.map((p) => p.name),
        ),
      );
      return { set, ...(notSaved ? { notSaved } : {}), spliced: r.record.name };
    }
    const names = record.ports.map((p) => p.name);
    const spliced = record;
    await withDaemon(deps, current, (client) => impair(client, spliced.name, names));
    const back = await moveBackIfPlain(deps, current, spliced);
    return {
      set,
      ...(notSaved && !back ? { notSaved } : {}),
      ...(back ? { movedBack: true } : {}),
    };
  } finally {
    await release();
  }
}

/**
 * Moves a splice back onto its link's own wire when nothing is impaired
 * and every port is up.
 *
 * @returns whether it was moved back
 */
async function moveBackIfPlain(
  deps: ResolvedDeps,
  state: LabState,
  record: SpliceRecord,
): Promise<boolean> {
  const shown = await withDaemon(deps, state, (client) => client.show());
  const ports = shown.links.find((l) => l.name === record.name)?.ports ?? [];
  if (ports.some((p) => isImpaired(p.impair) || !p.up)) return false;
  await unspliceLink(deps, state, record);
  return true;
}

/**
 * Cuts (`up: false`) or restores NODE IFNAME's wire.
 *
 * @throws {LabError} for an unknown node or interface, or when QEMU or the daemon cannot be reached
 */
export async function setLinkState(
  target: LabTarget,
  node: string,
  ifname: string,
  up: boolean,
  options: LinkOptions = {},
): Promise<LinkChange> {
  const deps = resolveDeps(options);
  deps.preflight.requireRoot(`link ${up ? "up" : "down"}`);
  const state = await requireLab(deps.store, target);
  const link = linkOf(state, findNode(state, node), ifname);
  // A p2p wire is cut at both ends, as a pulled cable is; a LAN port alone.
  const ends =
    link.type === "p2p"
      ? link.endpoints
      : link.endpoints.filter((e) => e.node === node && e.ifname === ifname);
  const release = await deps.store.lock(state.lab);
  try {
    let current = (await deps.store.read(state.lab)) ?? state;
    let record = carriedByDaemon(link) ? undefined : spliceOf(current, link, node, ifname);
    if (record && record.status !== "spliced") {
      current = await unspliceLink(deps, current, record);
      record = undefined;
    }
    const daemonLink = carriedByDaemon(link) ? link.name : record?.name;
    let notSaved: string | undefined;
    if (daemonLink) {
      await withDaemon(deps, current, async (client) => {
        for (const e of ends)
          notSaved = (await client.setLink(daemonLink, `${e.node}:${e.ifname}`, up)) ?? notSaved;
      });
    }
    await withSession(current, deps, async (s) => {
      for (const e of ends) {
        const n = findNode(current, e.node);
        await nodeKind(n).setLinkState(s, n, e.ifname, up);
      }
    });
    if (record && up && (await moveBackIfPlain(deps, current, record))) return { movedBack: true };
    return notSaved ? { notSaved } : {};
  } finally {
    await release();
  }
}

function linkOf(state: LabState, node: NodePlan, ifname: string): LinkPlan {
  const i = node.interfaces.find((x) => x.ifname === ifname);
  if (!i) {
    throw new LabError(
      `node "${node.name}" has no interface "${ifname}" (it has: ${node.interfaces.map((x) => x.ifname).join(", ")})`,
    );
  }
  return state.plan.links.find((l) => l.name === i.link) as LinkPlan;
}

async function withDaemon<T>(
  deps: ResolvedDeps,
  state: LabState,
  work: (client: WireClient) => Promise<T>,
): Promise<T> {
  const client = await connectDaemon(state.lab, labLayout(deps.store.labDir(state.lab)).wire);
  try {
    return await work(client);
  } finally {
    client.close();
  }
}

async function daemonShow(deps: ResolvedDeps, state: LabState): Promise<WireShow | undefined> {
  if (!state.plan.links.some(carriedByDaemon) && !state.spliced?.length) return undefined;
  return withDaemon(deps, state, (client) => client.show());
}
