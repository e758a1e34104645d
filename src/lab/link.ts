/**
 * `wirelab link`: a link's state and impairments, live.
 * - Links the wire daemon carries (its transport says so): through its
 *   control socket; impairments per direction (the frames one endpoint sends).
 * - `link down/up`: each end's node kind cuts or restores its end (a VM's NIC
 *   loses carrier, a namespace interface goes down, so a vEth's peer sees no
 *   carrier), and the daemon stops or resumes carrying a port of its links.
 *   A p2p link is cut at both ends; a LAN at the one port.
 */
import { LabError, UsageError } from "../errors.js";
import {
  type Impairment,
  type ImpairmentInput,
  NO_IMPAIRMENT,
  parseImpairment,
} from "../impairment.js";
import { carriedByDaemon, transportOf } from "../plan/transports/index.js";
import type { LinkPlan, NodePlan, TransportName } from "../plan/types.js";
import { nodeKind } from "../providers/kinds.js";
import { labLayout } from "../providers/layout.js";
import { connectDaemon } from "../providers/wire/provider.js";
import type { WireClient, WireShow } from "../wire/client.js";
import { type LabDeps, resolveDeps } from "./deps.js";
import { findNode } from "./exec.js";
import { type LabTarget, requireLab } from "./resolve.js";
import { withSession } from "./session.js";
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
}

/** One link, as `link show` reports it. */
export interface LinkView {
  readonly name: string;
  readonly transport: TransportName;
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
  return state.plan.links.map((l) => {
    const w = wire?.links.find((x) => x.name === l.name);
    return {
      name: l.name,
      transport: l.transport,
      endpoints: l.endpoints.map((e) => {
        const p = w?.ports.find((x) => x.name === `${e.node}:${e.ifname}`);
        if (!p) return { node: e.node, ifname: e.ifname };
        // The daemon counts what it received from a port (the endpoint sent it) and sent to it.
        return {
          node: e.node,
          ifname: e.ifname,
          up: p.up,
          impair: p.impair,
          txFrames: p.stats.rxFrames,
          rxFrames: p.stats.txFrames,
          dropped: p.stats.impair.lost + p.stats.impair.overflow,
        };
      }),
    };
  });
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
  if (!carriedByDaemon(link)) {
    throw new LabError(
      `link "${link.name}" is a ${transportOf(link).label(link)} link; impairments need the wire daemon: write "relay: true" (p2p) or "transport: hub" (LAN) on the link, or give it an "impair:", and bring the lab up again`,
    );
  }
  const self = `${node}:${ifname}`;
  const ports = link.endpoints.map((e) => `${e.node}:${e.ifname}`);
  // "in" impairs what the other ends send; on a LAN that is every other port.
  const targets =
    direction === "out" ? [self] : direction === "in" ? ports.filter((p) => p !== self) : ports;
  return withDaemon(deps, state, async (client) => {
    const shown = await client.show();
    const current = shown.links.find((l) => l.name === link.name);
    let notSaved: string | undefined;
    const set: { port: string; impairment: Impairment }[] = [];
    for (const port of targets) {
      const base = input.clear
        ? NO_IMPAIRMENT
        : (current?.ports.find((p) => p.name === port)?.impair ?? NO_IMPAIRMENT);
      const parsed = parseImpairment(input, base);
      if (Array.isArray(parsed)) throw new UsageError(parsed.map((p) => p.message).join("; "));
      notSaved = (await client.impair(link.name, port, parsed)) ?? notSaved;
      set.push({ port, impairment: parsed });
    }
    return { set, ...(notSaved ? { notSaved } : {}) };
  });
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
  let notSaved: string | undefined;
  if (carriedByDaemon(link)) {
    await withDaemon(deps, state, async (client) => {
      for (const e of ends)
        notSaved = (await client.setLink(link.name, `${e.node}:${e.ifname}`, up)) ?? notSaved;
    });
  }
  await withSession(state, deps, async (s) => {
    for (const e of ends) {
      const n = findNode(state, e.node);
      await nodeKind(n).setLinkState(s, n, e.ifname, up);
    }
  });
  return notSaved ? { notSaved } : {};
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
  deps: ReturnType<typeof resolveDeps>,
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

async function daemonShow(
  deps: ReturnType<typeof resolveDeps>,
  state: LabState,
): Promise<WireShow | undefined> {
  if (!state.plan.links.some(carriedByDaemon)) return undefined;
  return withDaemon(deps, state, (client) => client.show());
}
