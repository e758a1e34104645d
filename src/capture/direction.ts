/**
 * Directions for one ordered capture of a device. A tcpdump on the device
 * gives every frame whole, in the order the kernel saw them, but not which
 * way each went; a second tcpdump on the `any` device (`-y LINUX_SLL2`,
 * filter `ifindex N`, headers only) gives each packet's type: 4
 * (PACKET_OUTGOING) for what the device sent, others for what it received
 * (packet(7); LINKTYPE_LINUX_SLL2, tcpdump.org link-layer header types).
 * Both see the same socket buffer, so a frame and its packet type carry the
 * same timestamp to the nanosecond: frames are matched by it, and handed
 * on in the device capture's order. Ordering never depends on the second
 * capture; a frame whose type does not come within `waitMs` (that capture
 * dropped it) is handed on with direction `unknown`.
 */
import type { Direction } from "./pcapng.js";

/** PACKET_OUTGOING (linux/if_packet.h): the device sent it. */
const PACKET_OUTGOING = 4;

/** Offset of the packet type in a LINUX_SLL2 header (tcpdump.org, LINKTYPE_LINUX_SLL2). */
const SLL2_PKTTYPE = 10;

/** Packet types remembered at most, unmatched (frames the device capture's filter left out). */
const MAX_MARKS = 1 << 16;

interface Held<T> {
  readonly tsNs: bigint;
  readonly item: T;
  readonly since: number;
}

/** Matches the frames of a device capture with their packet types. */
export class DirectionOracle<T> {
  private readonly held: Held<T>[] = [];
  private readonly marks = new Map<bigint, number[]>();
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param emit - receives each frame, in the order given, with its direction
   * @param reversed - the device is a VM's tap: what it receives, the guest sent
   * @param waitMs - longest a frame waits for its packet type, in ms
   */
  constructor(
    private readonly emit: (item: T, direction: Direction) => void,
    private readonly reversed = false,
    private readonly waitMs = 1000,
  ) {}

  /** A frame of the device capture, in its order. */
  frame(tsNs: bigint, item: T): void {
    if (this.held.length === 0) {
      const type = this.take(tsNs);
      if (type !== undefined) {
        this.emit(item, this.direction(type));
        return;
      }
    }
    this.held.push({ tsNs, item, since: performance.now() });
    this.arm();
  }

  /**
   * A record of the `any` capture: its timestamp and LINUX_SLL2 bytes.
   *
   * @param sll2 - the record's bytes, starting with the 20-byte SLL2 header
   */
  packet(tsNs: bigint, sll2: Buffer): void {
    if (sll2.length <= SLL2_PKTTYPE) return;
    const types = this.marks.get(tsNs);
    const type = sll2[SLL2_PKTTYPE] as number;
    if (types) types.push(type);
    else {
      if (this.marks.size >= MAX_MARKS) {
        // The oldest first: a Map iterates in insertion order.
        const oldest = this.marks.keys().next().value as bigint;
        this.marks.delete(oldest);
      }
      this.marks.set(tsNs, [type]);
    }
    this.drain(false);
  }

  /** Hands on every frame still held (the captures ended). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.drain(true);
  }

  private take(tsNs: bigint): number | undefined {
    const types = this.marks.get(tsNs);
    if (!types) return undefined;
    const type = types.shift();
    if (types.length === 0) this.marks.delete(tsNs);
    return type;
  }

  private direction(type: number): Direction {
    const sent = type === PACKET_OUTGOING;
    return sent !== this.reversed ? "outbound" : "inbound";
  }

  private drain(all: boolean): void {
    const now = performance.now();
    while (this.held.length > 0) {
      const h = this.held[0] as Held<T>;
      const type = this.take(h.tsNs);
      if (type === undefined && !all && now - h.since < this.waitMs) break;
      this.held.shift();
      this.emit(h.item, type === undefined ? "unknown" : this.direction(type));
    }
    this.arm();
  }

  private arm(): void {
    if (this.held.length === 0 || this.timer !== undefined) return;
    const wait = Math.max(0, (this.held[0] as Held<T>).since + this.waitMs - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.drain(false);
    }, wait + 1);
  }
}
