/**
 * `status`: labs, their nodes and interfaces, with addresses and link state
 * read live from the kernel.
 */

import pMap from "p-map";
import { defaultRunner, type Runner } from "../exec.js";
import type { NodePlan } from "../plan/types.js";
import { type LiveInterface, liveInterfaces } from "../providers/netns/kernel.js";
import { needsWireDaemon, wireFiles, wirePids } from "../providers/wire/provider.js";
import { LabAccess } from "./access.js";
import type { LabTarget } from "./resolve.js";
import { resolveLab } from "./resolve.js";
import { type LabState, StateStore } from "./state.js";

/** One interface as `status` shows it. */
export interface InterfaceStatus {
  readonly name: string;
  /** Kernel operational state (`UP`, `DOWN`, `LOWERLAYERDOWN`, …) or `MISSING`. */
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
  /** Network namespace of a `linux` node. */
  readonly namespace?: string;
  /** A VM's management access: `eth0` on QEMU user networking, SSH forwarded from this 127.0.0.1 port. */
  readonly sshPort?: number;
  /** False when the namespace is gone or the VM does not answer. */
  readonly present: boolean;
  readonly forwarding: boolean;
  readonly interfaces: readonly InterfaceStatus[];
}

/** One lab as `status` shows it: its record and its nodes read live. */
export interface LabStatus {
  readonly lab: string;
  readonly file: string;
  readonly status: LabState["status"];
  readonly nodes: readonly NodeStatus[];
  /** The wire daemon, for labs that have hub, switch or relayed links: PIDs where running. */
  readonly wire?: { readonly supervisor?: number; readonly daemon?: number };
}

/** Options of {@link labStatus}. */
export interface StatusOptions {
  /** @default defaultRunner */
  readonly run?: Runner;
  /** @default new StateStore() */
  readonly store?: StateStore;
}

/**
 * Status of one lab (when `target` names one) or of every lab.
 *
 * @returns one entry per lab, sorted by name
 */
export async function labStatus(
  target: LabTarget = {},
  options: StatusOptions = {},
): Promise<LabStatus[]> {
  const run = options.run ?? defaultRunner;
  const store = options.store ?? new StateStore();
  let states: LabState[];
  if (target.lab !== undefined || target.file !== undefined) {
    const { state } = await resolveLab(store, target);
    states = state ? [state] : [];
  } else {
    states = await store.list();
  }
  return pMap(states, (s) => oneLab(run, store, s), { concurrency: 1 });
}

/** Interfaces of a node as the kernel (a namespace's or a VM's) reports them; empty when unreachable. */
async function nodeInterfaces(
  run: Runner,
  access: LabAccess,
  node: NodePlan,
): Promise<LiveInterface[]> {
  if (node.namespace) return liveInterfaces(run, node.namespace);
  // A user image has no agent: its interfaces are its own business.
  if (node.vm?.userImage)
    return node.interfaces.map((i) => ({
      ifname: i.name,
      operstate: "n/a",
      flags: [],
      mtu: 0,
      addr_info: [],
    }));
  try {
    const r = await access.exec(node, ["ip", "-json", "address", "show"], { timeoutMs: 5000 });
    return r.exitCode === 0 ? (JSON.parse(r.stdout) as LiveInterface[]) : [];
  } catch {
    return [];
  }
}

async function oneLab(run: Runner, store: StateStore, state: LabState): Promise<LabStatus> {
  const access = new LabAccess(state.lab, store, run);
  const nodes = await pMap(
    state.plan.nodes,
    async (node): Promise<NodeStatus> => {
      const live = await nodeInterfaces(run, access, node);
      const byName = new Map(live.map((l) => [l.ifname, l]));
      return {
        name: node.name,
        kind: node.kind,
        ...(node.namespace ? { namespace: node.namespace } : {}),
        ...(state.ports?.ssh[node.name] !== undefined
          ? { sshPort: state.ports.ssh[node.name] }
          : {}),
        present: live.length > 0,
        forwarding: node.forwarding,
        interfaces: node.interfaces.map((i) => {
          const l = byName.get(i.name);
          return {
            name: i.name,
            state: l ? l.operstate : "MISSING",
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
    { concurrency: 8 },
  );
  await access.close();
  const wire = needsWireDaemon(state.plan)
    ? await wirePids(wireFiles(store.labDir(state.lab)))
    : undefined;
  return {
    lab: state.lab,
    file: state.file,
    status: state.status,
    nodes,
    ...(wire ? { wire } : {}),
  };
}
