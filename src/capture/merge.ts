/**
 * Frames of several captures in one timestamp order. Each capture hands on
 * its own frames in order (one ordered source each, see `capture.ts`), so
 * the merge is a k-way merge of queues: the oldest head is written once
 * every other source has a frame queued (nothing older can come from it),
 * or once it is older than {@link MERGE_HOLD_MS} (an idle source is taken
 * to have nothing older that late). A frame that comes later than that is
 * written at once, out of order, and counted.
 */

/**
 * How long a frame waits for an idle source, ms: longer than a device
 * capture may hold a frame back for its direction (1 s, `direction.ts`), so
 * such a frame still comes in order.
 */
export const MERGE_HOLD_MS = 1500;

/** A frame as the merge keeps it: its source, capture time (ns since the epoch) and anything else. */
export interface Timed {
  readonly source: number;
  readonly tsNs: bigint;
}

/** The merge of `sources` ordered queues into one. */
export class TimeMerge<T extends Timed> {
  private readonly queues: T[][];
  private readonly heads: number[];
  private lastNs = -1n;
  /** Frames written out of order (they came more than the hold time late). */
  late = 0;

  /**
   * @param emit - gets each frame, in timestamp order
   * @param now - the time, ns since the epoch (tests give a fake clock)
   */
  constructor(
    sources: number,
    private readonly emit: (item: T) => void,
    private readonly holdNs = BigInt(MERGE_HOLD_MS) * 1_000_000n,
    private readonly now: () => bigint = () => BigInt(Date.now()) * 1_000_000n,
  ) {
    this.queues = Array.from({ length: sources }, () => []);
    this.heads = new Array<number>(sources).fill(0);
  }

  /** Frames waiting. */
  get pending(): number {
    let n = 0;
    for (let s = 0; s < this.queues.length; s++)
      n += (this.queues[s]?.length ?? 0) - (this.heads[s] ?? 0);
    return n;
  }

  /** Adds a frame of its source (in that source's order) and writes what is ready. */
  push(item: T): void {
    if (item.tsNs < this.lastNs) {
      // Later than the hold: older than what was written already.
      this.late++;
      this.emit(item);
      return;
    }
    this.queues[item.source]?.push(item);
    this.release(false);
  }

  /** Writes what waited long enough (call it now and then: an idle source holds the others back). */
  tick(): void {
    this.release(false);
  }

  /** Writes everything still queued, in order (the captures have ended). */
  drain(): void {
    this.release(true);
  }

  private release(all: boolean): void {
    const horizon = this.now() - this.holdNs;
    for (;;) {
      let best = -1;
      let bestNs = 0n;
      let idle = false;
      for (let s = 0; s < this.queues.length; s++) {
        const q = this.queues[s] as T[];
        const h = this.heads[s] as number;
        if (h >= q.length) {
          idle = true;
          continue;
        }
        const ts = (q[h] as T).tsNs;
        if (best < 0 || ts < bestNs) {
          best = s;
          bestNs = ts;
        }
      }
      if (best < 0) return;
      if (idle && !all && bestNs > horizon) return;
      const q = this.queues[best] as T[];
      const h = this.heads[best] as number;
      const item = q[h] as T;
      // Written items are dropped in chunks, not one shift() each.
      if (h + 1 === q.length) {
        q.length = 0;
        this.heads[best] = 0;
      } else if (h + 1 > 1024) {
        q.splice(0, h + 1);
        this.heads[best] = 0;
      } else this.heads[best] = h + 1;
      this.lastNs = bestNs;
      this.emit(item);
    }
  }
}
