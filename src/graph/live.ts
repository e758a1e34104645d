/**
 * A running lab's live state, per element of its picture: what `status`
 * reads (namespaces, QEMU, interfaces, FRR's daemons) and what `link show`
 * reads (the wire daemon's ports: cut, impaired, frame counters), joined to
 * the picture's nodes, LANs and edges. `graph --serve` sends it to the page.
 */
import { createHash } from "node:crypto";
import type { Impairment } from "../impairment.js";
import { isImpaired } from "../impairment.js";
import { type LabDeps, resolveDeps } from "../lab/deps.js";
import { type LinkView, showLinks } from "../lab/link.js";
import { requireLab } from "../lab/resolve.js";
import { type InterfaceStatus, labStatus, type NodeStatus } from "../lab/status.js";
import type { LabPlan } from "../plan/types.js";
import type { DeviceState } from "../providers/devices.js";
import type { ProcessStatus } from "../providers/provider.js";
import type { GraphEdge, LabGraph } from "./model.js";
import { labGraph } from "./model.js";

/** An edge's id on the page: `link:NAME` for a p2p link, `port:LAN:NODE:IFNAME` for a LAN port. */
export function edgeKey(e: GraphEdge): string {
  return e.toIf !== undefined ? `link:${e.link}` : `port:${e.link}:${e.from}:${e.fromIf}`;
}

/** `up` (carried, nothing impaired), `impaired`, or `down` (cut, no carrier, or an end missing). */
export type LinkState = "up" | "impaired" | "down";

/** One end of an edge, live. */
export interface LiveEndpoint {
  readonly node: string;
  readonly ifname: string;
  /** The interface's kernel state (`UP`, `DOWN`, `LOWERLAYERDOWN`, `MISSING`, `n/a`). */
  readonly operstate: string;
  /** Carried by the wire daemon (true) or cut there (false); absent off the daemon. */
  readonly up?: boolean;
  /** Impairments of the frames it sends (on the daemon). */
  readonly impair?: Impairment;
  /** On a LAN port the daemon carries: impairments of the frames it receives. */
  readonly receives?: Impairment;
  /** Frames it sent onto the link and the link delivered to it (the daemon's counters). */
  readonly txFrames?: number;
  readonly rxFrames?: number;
  readonly dropped?: number;
  /** Rates since the previous reading, frames per second (fps). */
  readonly txFps?: number;
  readonly rxFps?: number;
}

/** One edge, live. */
export interface LiveEdge {
  readonly state: LinkState;
  /** As `link show` says: `declared`, `spliced` or `no`. */
  readonly relayed: LinkView["relayed"];
  readonly why?: string;
  readonly endpoints: readonly LiveEndpoint[];
}

/** One node, live. */
export interface LiveNode {
  /** `up`, `stopped` (by `wirelab stop`), or `absent` (its namespace or QEMU is gone). */
  readonly state: "up" | "stopped" | "absent";
  readonly interfaces: readonly InterfaceStatus[];
  /** A router's daemons. */
  readonly device?: DeviceState;
  readonly sshPort?: number;
}

/** A lab's live state, by element id of its picture. */
export interface LiveState {
  /** When it was read, ms since the epoch. */
  readonly at: number;
  readonly lab: string;
  /** The record's status (`up`, `applying`, …), or `gone` when the lab is not up. */
  readonly status: string;
  /** Why the state could not be read (the lab went down, the daemon does not answer). */
  readonly error?: string;
  /** A hash of the picture: changes when an `up` changed the lab (the page reloads the picture). */
  readonly version: string;
  readonly nodes: Readonly<Record<string, LiveNode>>;
  /** A LAN is `down` when every port is, `impaired` when one is. */
  readonly lans: Readonly<Record<string, { readonly state: LinkState }>>;
  readonly edges: Readonly<Record<string, LiveEdge>>;
  readonly processes: readonly ProcessStatus[];
  readonly missing: readonly string[];
}

/** The picture a running lab runs, and its version (see {@link LiveState.version}). */
export interface LivePicture {
  readonly plan: LabPlan;
  readonly graph: LabGraph;
  readonly version: string;
}

/**
 * The picture of the plan a running lab runs now.
 *
 * @throws {LabError} when the lab is not up
 */
export async function livePicture(lab: string, options: LabDeps = {}): Promise<LivePicture> {
  const deps = resolveDeps(options);
  const state = await requireLab(deps.store, { lab });
  const graph = labGraph(state.plan);
  const version = createHash("sha256").update(JSON.stringify(graph)).digest("hex").slice(0, 16);
  return { plan: state.plan, graph, version };
}

/** Kernel states that carry frames (`UNKNOWN`: a tap without a reader yet; `n/a`: not looked at). */
const CARRYING = new Set(["UP", "UNKNOWN", "n/a"]);

/**
 * Reads a running lab's live state.
 *
 * @param previous the last reading, for frame rates
 * @returns the state; a lab that is not up, or a daemon that does not answer, gives `error` (never throws for those)
 * @throws {PermissionError} without root
 */
export async function readLiveState(
  lab: string,
  previous: LiveState | undefined,
  options: LabDeps = {},
): Promise<LiveState> {
  const deps = resolveDeps(options);
  const at = Date.now();
  let picture: LivePicture;
  try {
    picture = await livePicture(lab, deps);
  } catch (e) {
    return empty(lab, at, "gone", (e as Error).message, previous?.version ?? "");
  }
  const [status] = await labStatus({ lab }, deps);
  let links: LinkView[] | undefined;
  let error: string | undefined;
  try {
    links = await showLinks({ lab }, deps);
  } catch (e) {
    error = (e as Error).message;
  }
  const byNode = new Map((status?.nodes ?? []).map((n) => [n.name, n]));
  const nodes: Record<string, LiveNode> = {};
  for (const n of picture.graph.nodes) {
    const s = byNode.get(n.id);
    nodes[n.id] = liveNode(s);
  }
  const operstate = (node: string, ifname: string) =>
    nodes[node]?.state === "stopped"
      ? "DOWN"
      : (nodes[node]?.interfaces.find((i) => i.ifname === ifname)?.state ?? "MISSING");
  const seconds = previous ? (at - previous.at) / 1000 : 0;
  const edges: Record<string, LiveEdge> = {};
  for (const e of picture.graph.edges) {
    const key = edgeKey(e);
    const view = links?.find((l) => l.name === e.link);
    const ends =
      e.toIf !== undefined
        ? [
            { node: e.from, ifname: e.fromIf },
            { node: e.to, ifname: e.toIf },
          ]
        : [{ node: e.from, ifname: e.fromIf }];
    const before = previous?.edges[key]?.endpoints;
    const endpoints = ends.map((end): LiveEndpoint => {
      const v = view?.endpoints.find((x) => x.node === end.node && x.ifname === end.ifname);
      const old = before?.find((x) => x.node === end.node && x.ifname === end.ifname);
      const rate = (now?: number, then?: number) =>
        now !== undefined && then !== undefined && seconds > 0 && now >= then
          ? Math.round((now - then) / seconds)
          : undefined;
      const txFps = rate(v?.txFrames, old?.txFrames);
      const rxFps = rate(v?.rxFrames, old?.rxFrames);
      return {
        ...end,
        operstate: operstate(end.node, end.ifname),
        ...(v?.up !== undefined ? { up: v.up } : {}),
        ...(v?.impair ? { impair: v.impair } : {}),
        ...(v?.receives ? { receives: v.receives } : {}),
        ...(v?.txFrames !== undefined ? { txFrames: v.txFrames } : {}),
        ...(v?.rxFrames !== undefined ? { rxFrames: v.rxFrames } : {}),
        ...(v?.dropped !== undefined ? { dropped: v.dropped } : {}),
        ...(txFps !== undefined ? { txFps } : {}),
        ...(rxFps !== undefined ? { rxFps } : {}),
      };
    });
    edges[key] = {
      state: edgeState(endpoints),
      relayed: view?.relayed ?? "no",
      ...(view?.why ? { why: view.why } : {}),
      endpoints,
    };
  }
  const lans: Record<string, { state: LinkState }> = {};
  for (const l of picture.graph.lans) {
    const ports = picture.graph.edges
      .filter((e) => e.to === l.id && e.toIf === undefined)
      .map((e) => edges[edgeKey(e)]?.state ?? "down");
    lans[l.id] = {
      state:
        ports.length > 0 && ports.every((p) => p === "down")
          ? "down"
          : ports.includes("impaired")
            ? "impaired"
            : "up",
    };
  }
  return {
    at,
    lab,
    status: status?.status ?? "gone",
    ...(error ? { error } : {}),
    version: picture.version,
    nodes,
    lans,
    edges,
    processes: status?.processes ?? [],
    missing: status?.missing ?? [],
  };
}

function liveNode(s: NodeStatus | undefined): LiveNode {
  if (!s) return { state: "absent", interfaces: [] };
  return {
    state: s.stopped ? "stopped" : s.present ? "up" : "absent",
    interfaces: s.interfaces,
    ...(s.device ? { device: s.device } : {}),
    ...(s.sshPort !== undefined ? { sshPort: s.sshPort } : {}),
  };
}

/** Down when an end is cut or has no carrier, impaired when an end's frames are, else up. */
export function edgeState(endpoints: readonly LiveEndpoint[]): LinkState {
  if (endpoints.some((e) => e.up === false || !CARRYING.has(e.operstate))) return "down";
  if (
    endpoints.some(
      (e) => (e.impair && isImpaired(e.impair)) || (e.receives && isImpaired(e.receives)),
    )
  )
    return "impaired";
  return "up";
}

function empty(lab: string, at: number, status: string, error: string, version: string): LiveState {
  return {
    at,
    lab,
    status,
    error,
    version,
    nodes: {},
    lans: {},
    edges: {},
    processes: [],
    missing: [],
  };
}
