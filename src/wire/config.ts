/**
 * What the wire daemon runs, written by `up` as JSON next to the lab's
 * record: the links it carries, each VM NIC's port pair, and the files it
 * uses. Built from the plan and the lab's allocated ports alone.
 */
import { isWireLink } from "../plan/links.js";
import type { LabPlan, WireLinkPlan } from "../plan/types.js";
import { type LabPorts, udpKey, wireKey } from "../providers/qemu/ports.js";
import { type Impairment, NO_IMPAIRMENT } from "./impairment.js";
import type { WireMode } from "./segment.js";

/** One interface on a daemon link: a VM NIC (stream) or a namespace interface (UDP, through socat). */
export interface WirePortConfig {
  /** `node:iface`. */
  readonly name: string;
  /**
   * Unix socket QEMU listens on for this NIC (`-netdev stream`): the daemon
   * connects and exchanges frames with a 4-byte big-endian length. When set,
   * `listen` and `peer` are unused.
   */
  readonly stream?: string;
  /** The daemon's UDP port for it, on 127.0.0.1. */
  readonly listen: number;
  /** socat's UDP port, where the daemon sends its frames. */
  readonly peer: number;
  /** Impairments of the frames this NIC sends, as planned. */
  readonly impair: Impairment;
}

export interface WireLinkConfig {
  readonly name: string;
  readonly mode: WireMode;
  readonly ports: readonly WirePortConfig[];
}

/**
 * A namespace interface on a daemon link: socat passes raw frames between
 * the host end of its vEth (a packet socket) and the daemon's port (UDP).
 */
export interface WireAttachment {
  /** Host end of the vEth. */
  readonly hostVeth: string;
  /** socat's own UDP port (the port's `peer` in the daemon). */
  readonly listen: number;
  /** The daemon's port for this interface. */
  readonly daemon: number;
}

export interface WireConfig {
  readonly lab: string;
  /** Unix socket of the control protocol (see `control.ts`). */
  readonly control: string;
  /** Live changes (impairments, ports down), kept across restarts of the daemon. */
  readonly liveState: string;
  /** Where the daemon writes its PID. */
  readonly pidfile: string;
  readonly links: readonly WireLinkConfig[];
  readonly attachments: readonly WireAttachment[];
}

/** Links of a plan the wire daemon carries. */
export function wireLinks(plan: LabPlan): WireLinkPlan[] {
  return plan.links.filter(isWireLink);
}

/**
 * @throws {Error} when a port was not allocated
 */
export function wireConfig(
  plan: LabPlan,
  ports: LabPorts,
  files: Pick<WireConfig, "control" | "liveState" | "pidfile">,
  streamPath: (node: string, iface: string) => string,
): WireConfig {
  const port = (key: string) => {
    const p = ports.udp[key];
    if (p === undefined) throw new Error(`no UDP port allocated for ${key}`);
    return p;
  };
  const links = wireLinks(plan);
  return {
    lab: plan.lab,
    ...files,
    attachments: links.flatMap((l) =>
      l.endpoints.flatMap((e) =>
        e.hostVeth
          ? [
              {
                hostVeth: e.hostVeth,
                listen: port(udpKey(l.name, e.node, e.interface)),
                daemon: port(wireKey(l.name, e.node, e.interface)),
              },
            ]
          : [],
      ),
    ),
    links: links.map((l) => ({
      name: l.name,
      mode: l.transport,
      ports: l.endpoints.map((e) => ({
        name: `${e.node}:${e.interface}`,
        ...(e.hostVeth
          ? {
              listen: port(wireKey(l.name, e.node, e.interface)),
              peer: port(udpKey(l.name, e.node, e.interface)),
            }
          : { stream: streamPath(e.node, e.interface), listen: 0, peer: 0 }),
        impair: e.impair ?? NO_IMPAIRMENT,
      })),
    })),
  };
}
