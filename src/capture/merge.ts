/**
 * Merging the per-direction captures of one interface into one stream in
 * timestamp order. Each source delivers in order; a frame is released once
 * every source has delivered something at least as late (so nothing earlier
 * can still come), or after `idleMs` without news, so an idle direction
 * never holds frames back for long.
 */

export class OrderedMerge<T> {
  private readonly pending: { ts: bigint; item: T }[] = [];
  private readonly marks: bigint[];
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param sources - how many sources feed the merge
   * @param emit - receives items in timestamp order
   * @param idleMs - longest a frame waits for the other sources, in ms @default 1
   */
  constructor(
    sources: number,
    private readonly emit: (item: T) => void,
    private readonly idleMs = 1,
  ) {
    this.marks = new Array<bigint>(sources).fill(-1n);
  }

  /** Adds an item from `source` (0-based) captured at `ts` (ns). */
  push(source: number, ts: bigint, item: T): void {
    // One source is in order already.
    if (this.marks.length === 1) {
      this.emit(item);
      return;
    }
    this.marks[source] = ts;
    // Sources are nearly in step: insert from the end.
    let i = this.pending.length;
    while (i > 0 && (this.pending[i - 1] as { ts: bigint }).ts > ts) i--;
    this.pending.splice(i, 0, { ts, item });
    const safe = this.marks.reduce((a, b) => (b < a ? b : a));
    this.release(safe);
    // Only what is still held needs a deadline; one timer at a time.
    if (this.pending.length > 0 && this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), this.idleMs);
    }
  }

  /** Releases everything still held. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.release(undefined);
  }

  private release(upTo: bigint | undefined): void {
    let n = 0;
    while (
      n < this.pending.length &&
      (upTo === undefined || (this.pending[n] as { ts: bigint }).ts <= upTo)
    )
      n++;
    for (const p of this.pending.splice(0, n)) this.emit(p.item);
  }
}
