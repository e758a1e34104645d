/**
 * What the wire daemon runs: the links it carries, each port's socket, and
 * the files it uses. Written as JSON by the wire provider
 * (`providers/wire/config.ts` makes it from a lab's plan) and read by the
 * daemon at start.
 */
import type { Impairment } from "../impairment.js";
import type { WireMode } from "./segment.js";

/**
 * One port of a daemon link: a VM NIC (stream), a namespace interface (UDP,
 * through socat), or one side of a VM NIC spliced live (two streams).
 */
export interface WirePortConfig {
  /** `node:iface`, or for the LAN side of a spliced LAN port the LAN's name. */
  readonly name: string;
  /**
   * Unix socket QEMU listens on for this NIC (`-netdev stream`): the daemon
   * connects and exchanges frames with a 4-byte big-endian length. When set,
   * `listen` and `peer` are unused.
   */
  readonly stream?: string;
  /**
   * One side of a VM NIC spliced onto the daemon live: unix sockets of two
   * QEMU chardevs (filter-redirectors, QEMU docs "-object
   * filter-redirector"), framed like `stream`; the daemon reads the frames
   * of this port from `from` and hands it frames on `to`. When set,
   * `listen` and `peer` are unused.
   */
  readonly streams?: { readonly from: string; readonly to: string };
  /** The daemon's UDP port for it, on 127.0.0.1. */
  readonly listen: number;
  /** socat's UDP port, where the daemon sends its frames. */
  readonly peer: number;
  /** Impairments of the frames this NIC sends, as planned. */
  readonly impair: Impairment;
}

/** One link the daemon carries. */
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

/** Everything the daemon runs. */
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
