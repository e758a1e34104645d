/**
 * `wirelab link`: a link's state and impairments, live.
 * - Links the wire daemon carries (hub, switch, relay): through its control
 *   socket; impairments per direction (the frames one endpoint sends).
 * - `link down/up`: a VM's NIC loses or regains carrier (QMP `set_link`), a
 *   namespace interface is set down or up (a vEth's peer then sees no
 *   carrier), a daemon port stops or resumes carrying frames. A p2p link is
 *   cut at both ends; a LAN at the one port.
 */

import { LabError } from "../errors.js";
import { defaultRunner, type Runner } from "../exec.js";
import { isWireLink } from "../plan/links.js";
import type { LinkPlan, NodePlan } from "../plan/types.js";
import { netdevId } from "../providers/qemu/args.js";
import { qmp } from "../providers/qemu/qmp.js";
import { wireFiles } from "../providers/wire/provider.js";
import { WireClient, type WireShow } from "../wire/client.js";
import { type Impairment, type ImpairmentInput, parseImpairment } from "../wire/impairment.js";
import { vmFiles } from "./access.js";
import { findNode } from "./exec.js";
import { requireRoot } from "./preflight.js";
import { type LabTarget, requireLab } from "./resolve.js";
import { type LabState, StateStore } from "./state.js";

/** One endpoint of a link, as `link show` reports it. */
export interface LinkEndpointView {
  readonly node: string;
  readonly interface: string;
  /** Carried (true) or cut (false); undefined where wirelab does not know. */
  readonly up?: boolean;
  /** Impairments of the frames this endpoint sends. */
  readonly impair?: Impairment;
  /** Frames this endpoint sent / was given, through the daemon. */
  readonly rxFrames?: number;
  readonly txFrames?: number;
  /** Frames its impairments dropped (loss and rate queue). */
  readonly dropped?: number;
}

export interface LinkView {
  readonly name: string;
  readonly transport: LinkPlan["transport"];
  readonly endpoints: readonly LinkEndpointView[];
}

interface LinkOptions {
  readonly store?: StateStore;
  readonly run?: Runner;
}

/**
 * Every link of a lab with its endpoints' state, impairments and counters.
 *
 * @throws {LabError} when the lab is not up
 */
export async function showLinks(target: LabTarget, options: LinkOptions = {}): Promise<LinkView[]> {
  const store = options.store ?? new StateStore();
  const state = await requireLab(store, target);
  const wire = await daemonShow(store, state);
  return state.plan.links.map((l) => {
    const w = wire?.links.find((x) => x.name === l.name);
    return {
      name: l.name,
      transport: l.transport,
      endpoints: l.endpoints.map((e) => {
        const p = w?.ports.find((x) => x.name === `${e.node}:${e.interface}`);
        if (!p) return { node: e.node, interface: e.interface };
        return {
          node: e.node,
          interface: e.interface,
          up: p.up,
          impair: p.impair,
          rxFrames: p.stats.rxFrames,
          txFrames: p.stats.txFrames,
          dropped: p.stats.impair.lost + p.stats.impair.overflow,
        };
      }),
    };
  });
}

/**
 * Sets the impairments of the frames NODE IFACE sends (`direction: out`),
 * receives (`in`), or both; keys not given keep their value.
 *
 * @throws {LabError} for an unknown node or interface, a link the daemon does not carry, or a bad value
 */
export async function impairLink(
  target: LabTarget,
  node: string,
  iface: string,
  input: ImpairmentInput & { readonly clear?: boolean },
  direction: "in" | "out" | "both" = "both",
  options: LinkOptions = {},
): Promise<void> {
  const store = options.store ?? new StateStore();
  const state = await requireLab(store, target);
  requireRoot("link impair");
  const link = linkOf(state, findNode(state, node), iface);
  if (!isWireLink(link)) {
    throw new LabError(
      `link "${link.name}" is a ${link.transport} link; impairments need the wire daemon: write "relay: true" (p2p) or "transport: hub" (LAN) on the link, or give it an "impair:", and bring the lab up again`,
    );
  }
  const self = `${node}:${iface}`;
  const ports = link.endpoints.map((e) => `${e.node}:${e.interface}`);
  // "in" impairs what the other ends send; on a LAN that is every other port.
  const targets =
    direction === "out" ? [self] : direction === "in" ? ports.filter((p) => p !== self) : ports;
  const client = await connectDaemon(store, state);
  try {
    const shown = await client.show();
    const current = shown.links.find((l) => l.name === link.name);
    for (const port of targets) {
      const base = input.clear
        ? parseImpairment({})
        : (current?.ports.find((p) => p.name === port)?.impair ?? parseImpairment({}));
      const parsed = parseImpairment(input, base as Impairment);
      if (Array.isArray(parsed)) throw new LabError(parsed.map((p) => p.message).join("; "));
      await client.impair(link.name, port, parsed);
    }
  } finally {
    client.close();
  }
}

/**
 * Cuts (`up: false`) or restores NODE IFACE's wire.
 *
 * @throws {LabError} for an unknown node or interface, or when QEMU or the daemon cannot be reached
 */
export async function setLinkState(
  target: LabTarget,
  node: string,
  iface: string,
  up: boolean,
  options: LinkOptions = {},
): Promise<void> {
  const store = options.store ?? new StateStore();
  const run = options.run ?? defaultRunner;
  const state = await requireLab(store, target);
  requireRoot(`link ${up ? "up" : "down"}`);
  const link = linkOf(state, findNode(state, node), iface);
  // A p2p wire is cut at both ends, as a pulled cable is; a LAN port alone.
  const ends =
    link.type === "p2p"
      ? link.endpoints
      : link.endpoints.filter((e) => e.node === node && e.interface === iface);
  if (isWireLink(link)) {
    const client = await connectDaemon(store, state);
    try {
      for (const e of ends) await client.setLink(link.name, `${e.node}:${e.interface}`, up);
    } finally {
      client.close();
    }
  }
  for (const e of ends) {
    const n = findNode(state, e.node);
    if (n.vm) {
      // The guest's NIC loses carrier (QMP set_link): its link goes down inside.
      await qmp(vmFiles(store, state.lab, n.name).qmp, [
        { execute: "set_link", arguments: { name: netdevId(n, e.interface), up } },
      ]);
    } else if (n.namespace) {
      await run("ip", ["-n", n.namespace, "link", "set", "dev", e.interface, up ? "up" : "down"]);
    }
  }
}

function linkOf(state: LabState, node: NodePlan, iface: string): LinkPlan {
  const i = node.interfaces.find((x) => x.name === iface);
  if (!i) {
    throw new LabError(
      `node "${node.name}" has no interface "${iface}" (it has: ${node.interfaces.map((x) => x.name).join(", ")})`,
    );
  }
  return state.plan.links.find((l) => l.name === i.link) as LinkPlan;
}

async function connectDaemon(store: StateStore, state: LabState): Promise<WireClient> {
  const files = wireFiles(store.labDir(state.lab));
  try {
    return await WireClient.connect(files.control);
  } catch {
    throw new LabError(
      `the wire daemon of lab "${state.lab}" is not running; "wirelab up" starts it again (see ${files.log})`,
    );
  }
}

async function daemonShow(store: StateStore, state: LabState): Promise<WireShow | undefined> {
  if (!state.plan.links.some(isWireLink)) return undefined;
  const client = await connectDaemon(store, state);
  try {
    return await client.show();
  } finally {
    client.close();
  }
}
