/**
 * The forwarding logic of one link in the wire daemon, apart from sockets:
 * - `hub`: every frame goes to every other port, never back to its sender;
 * - `switch`: the same, but unicast to a learned MAC goes to its port only
 *   (802.1D learning, entries age out after {@link MAC_AGE_MS});
 * - `relay`: a two-port hub (a p2p link carried through the daemon).
 * Frames are never looked into beyond the Ethernet addresses: LLDP, STP
 * BPDUs and LACP pass like any other frame. Each port's frames go through
 * that port's {@link Impairer} before they fan out.
 */

import type { Impairment } from "../impairment.js";
import { Impairer, type ImpairStats } from "./impairer.js";

/** How a daemon link forwards: to every other port, by learned MAC, or p2p. */
export type WireMode = "hub" | "switch" | "relay";

/** How long a learned MAC stays, ms (802.1D's default ageing time, 300 s). */
export const MAC_AGE_MS = 300_000;

/** Smallest frame handed on: an Ethernet header. */
const MIN_FRAME = 14;

/** Counters of one port; rx is what its node sent, tx what it was given. */
export interface PortStats {
  rxFrames: number;
  rxBytes: number;
  txFrames: number;
  txBytes: number;
  /** Datagrams too short to be a frame. */
  malformed: number;
  /** Frames not carried because the port was down. */
  down: number;
  /** What the port's impairments did to the frames it sent. */
  readonly impair: ImpairStats;
}

/** One port: a node's interface, and how to hand it a frame. */
export interface SegmentPort {
  /** `node:iface`. */
  readonly name: string;
  readonly send: (frame: Buffer) => void;
}

/** A frame seen by the segment, for captures. */
export interface SegmentFrame {
  /** Port index. */
  readonly port: number;
  /** `rx`: the port's node sent it (before impairments); `tx`: handed to the port's node. */
  readonly way: "rx" | "tx";
  readonly frame: Buffer;
}

/** One link the daemon carries: its ports, their impairments and state, counters, capture taps. */
export class WireSegment {
  readonly stats: PortStats[];
  private readonly impairers: Impairer[];
  private readonly up: boolean[];
  private readonly macs = new Map<number, { port: number; seen: number }>();
  /** Capture listeners; none on the fast path unless someone captures. */
  private readonly taps = new Set<(f: SegmentFrame) => void>();

  constructor(
    readonly name: string,
    readonly mode: WireMode,
    readonly ports: readonly SegmentPort[],
    private readonly now: () => number = () => performance.now(),
  ) {
    this.up = ports.map(() => true);
    this.impairers = ports.map((_, i) => new Impairer((f) => this.fanOut(i, f)));
    this.stats = this.impairers.map((imp) => ({
      rxFrames: 0,
      rxBytes: 0,
      txFrames: 0,
      txBytes: 0,
      malformed: 0,
      down: 0,
      impair: imp.stats,
    }));
  }

  /** A datagram from port `i`'s node. */
  receive(i: number, frame: Buffer): void {
    const st = this.stats[i] as PortStats;
    if (frame.length < MIN_FRAME) {
      st.malformed++;
      return;
    }
    if (!this.up[i]) {
      st.down++;
      return;
    }
    st.rxFrames++;
    st.rxBytes += frame.length;
    if (this.taps.size) this.emit({ port: i, way: "rx", frame });
    if (this.mode === "switch") this.learn(i, frame);
    (this.impairers[i] as Impairer).send(frame);
  }

  /** Impairment of the frames port `i`'s node sends. */
  impair(i: number, impairment: Impairment): void {
    (this.impairers[i] as Impairer).set(impairment);
  }

  impairment(i: number): Impairment {
    return (this.impairers[i] as Impairer).current;
  }

  /** Cuts (false) or restores (true) port `i`: nothing from or to it is carried while down. */
  setUp(i: number, up: boolean): void {
    this.up[i] = up;
    if (!up) (this.impairers[i] as Impairer).flush();
  }

  isUp(i: number): boolean {
    return this.up[i] as boolean;
  }

  /** Frames port `i`'s impairments still hold back (delay, rate). */
  queued(i: number): number {
    return (this.impairers[i] as Impairer).queued;
  }

  /** Stops carrying: frames still held back are dropped, captures end. */
  close(): void {
    for (const imp of this.impairers) imp.flush();
    this.taps.clear();
  }

  /** Adds a capture listener; returns its removal. */
  tap(listener: (f: SegmentFrame) => void): () => void {
    this.taps.add(listener);
    return () => this.taps.delete(listener);
  }

  private fanOut(from: number, frame: Buffer): void {
    if (!this.up[from]) return;
    if (this.mode === "switch" && ((frame[0] as number) & 1) === 0) {
      const known = this.macs.get(frame.readUIntBE(0, 6));
      if (known && known.port !== from && this.now() - known.seen < MAC_AGE_MS) {
        this.deliver(known.port, frame);
        return;
      }
    }
    for (let j = 0; j < this.ports.length; j++) if (j !== from) this.deliver(j, frame);
  }

  private deliver(j: number, frame: Buffer): void {
    const st = this.stats[j] as PortStats;
    if (!this.up[j]) {
      st.down++;
      return;
    }
    st.txFrames++;
    st.txBytes += frame.length;
    if (this.taps.size) this.emit({ port: j, way: "tx", frame });
    (this.ports[j] as SegmentPort).send(frame);
  }

  private learn(i: number, frame: Buffer): void {
    // Source addresses only from unicast senders.
    if (((frame[6] as number) & 1) !== 0) return;
    this.macs.set(frame.readUIntBE(6, 6), { port: i, seen: this.now() });
  }

  private emit(f: SegmentFrame): void {
    for (const t of this.taps) t(f);
  }
}
