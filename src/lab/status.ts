/**
 * `status`: labs, their nodes and interfaces, with addresses and link state
 * read live from each node (its kind says how), and each provider's
 * processes.
 */
import pMap from "p-map";
import { type DeviceState, deviceRuntime } from "../providers/devices.js";
import { allProviders } from "../providers/index.js";
import { nodeKind } from "../providers/kinds.js";
import { labLayout } from "../providers/layout.js";
import type { ProcessStatus } from "../providers/provider.js";
import { type LabDeps, resolveDeps } from "./deps.js";
import type { LabTarget } from "./resolve.js";
import { resolveLab } from "./resolve.js";
import { withSession } from "./session.js";
import { type LabState, UnreadableRecordError } from "./state.js";

/** Nodes read at once. */
const STATUS_CONCURRENCY = 8;

/** One interface as `status` shows it. */
export interface InterfaceStatus {
  readonly ifname: string;
  /** Kernel operational state (`UP`, `DOWN`, `LOWERLAYERDOWN`, …), `MISSING`, or `n/a` where wirelab cannot look. */
  readonly state: string;
  readonly mac: string;
  /** `addr/len`, global scope, as the kernel has them. */
  readonly addresses: readonly string[];
  readonly link: string;
  readonly peer?: string;
}

/** One node as `status` shows it. */
export interface NodeStatus {
  readonly name: string;
  readonly kind: string;
  /** Network namespace of a node whose kind has one. */
  readonly namespace?: string;
  /** A VM's management access: `eth0` on QEMU user networking, SSH forwarded from this 127.0.0.1 port. */
  readonly sshPort?: number;
  /** False when the namespace is gone or the VM does not run. */
  readonly present: boolean;
  /** Stopped by `wirelab stop` (its wires parked); `up` or `start` starts it again. */
  readonly stopped: boolean;
  readonly forwarding: boolean;
  readonly interfaces: readonly InterfaceStatus[];
  /** A router's software: its device and daemons, read live (absent for a plain host). */
  readonly device?: DeviceState;
}

/** One lab as `status` shows it: its record and its nodes read live. */
export interface LabStatus {
  readonly lab: string;
  /** The topology file, or "" when the record cannot be read. */
  readonly file: string;
  /** The record's status, or `unreadable` (see `problem`). */
  readonly status: LabState["status"] | "unreadable";
  /** Why the record cannot be used (then `nodes` and `processes` are empty). */
  readonly problem?: string;
  readonly nodes: readonly NodeStatus[];
  /** Processes the lab's providers keep running (the wire daemon), with their PIDs where they run. */
  readonly processes: readonly ProcessStatus[];
  /** What of the lab is missing on the host, in words (`wirelab up` puts it back); empty when whole. */
  readonly missing: readonly string[];
}

/** Options of {@link labStatus}. */
export type StatusOptions = LabDeps;

/**
 * Status of one lab (when `target` names one) or of every lab.
 *
 * @returns one entry per lab, sorted by name
 * @throws {PermissionError} without root (live state cannot be read then)
 */
export async function labStatus(
  target: LabTarget = {},
  options: StatusOptions = {},
): Promise<LabStatus[]> {
  const deps = resolveDeps(options);
  deps.preflight.requireRoot("status");
  let states: readonly LabState[];
  let unreadable: readonly UnreadableRecordError[] = [];
  if (target.lab !== undefined || target.file !== undefined) {
    try {
      const { state } = await resolveLab(deps.store, target);
      states = state ? [state] : [];
    } catch (e) {
      if (!(e instanceof UnreadableRecordError)) throw e;
      states = [];
      unreadable = [e];
    }
  } else {
    ({ states, unreadable } = await deps.store.scan());
  }
  const read = await pMap(states, (s) => oneLab(deps, s), { concurrency: 1 });
  const broken = unreadable.map(
    (u): LabStatus => ({
      lab: u.lab,
      file: "",
      status: "unreadable",
      problem: u.message,
      nodes: [],
      processes: [],
      missing: [],
    }),
  );
  return [...read, ...broken].sort((a, b) => a.lab.localeCompare(b.lab));
}

async function oneLab(deps: LabDeps, state: LabState): Promise<LabStatus> {
  const nodes = await withSession(state, deps, (s) =>
    pMap(
      state.plan.nodes,
      async (node): Promise<NodeStatus> => {
        const live = await nodeKind(node).status(s, node);
        const device = live.present ? await deviceRuntime(node).state(s, node) : undefined;
        const byName = new Map((live.interfaces ?? []).map((l) => [l.ifname, l]));
        const namespace = s.view.namespace(node.name);
        return {
          name: node.name,
          kind: node.kind,
          ...(namespace ? { namespace } : {}),
          ...(live.sshPort !== undefined ? { sshPort: live.sshPort } : {}),
          present: live.present,
          stopped: state.stopped?.includes(node.name) ?? false,
          forwarding: node.forwarding,
          ...(device ? { device } : {}),
          interfaces: node.interfaces.map((i) => {
            const l = byName.get(i.ifname);
            return {
              ifname: i.ifname,
              state: live.interfaces === undefined ? "n/a" : l ? l.operstate : "MISSING",
              mac: l?.address ?? i.mac,
              addresses: l
                ? l.addr_info
                    .filter((a) => a.scope === "global")
                    .map((a) => `${a.local}/${a.prefixlen}`)
                : [],
              link: i.link,
              ...(i.peer ? { peer: i.peer } : {}),
            };
          }),
        };
      },
      { concurrency: STATUS_CONCURRENCY },
    ),
  );
  const d = resolveDeps(deps);
  const ctx = { lab: state.lab, run: d.run, layout: labLayout(d.store.labDir(state.lab)) };
  const processes: ProcessStatus[] = [];
  const missing: string[] = [];
  for (const p of allProviders(d)) {
    if (!p.uses(state.plan, state.spliced)) continue;
    if (p.status) processes.push(...(await p.status(ctx, state.plan)));
    if (p.missing)
      missing.push(...(await p.missing(ctx, state.plan, new Set(state.stopped ?? []))));
  }
  return { lab: state.lab, file: state.file, status: state.status, nodes, processes, missing };
}
