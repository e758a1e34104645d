/**
 * Frames waiting for their departure time (delay, jitter, rate): a binary
 * min-heap on the due time with one timer for the earliest. Nothing in the
 * forwarding path ever waits: a frame is queued and the path goes on.
 */

interface Entry<T> {
  readonly due: number;
  /** Arrival order: equal due times leave in order. */
  readonly seq: number;
  readonly item: T;
}

/** Frames due at a time: a FIFO for one constant delay, a heap for jitter; one timer at a time. */
export class TimerQueue<T> {
  private readonly heap: Entry<T>[] = [];
  /**
   * Items whose due times never decrease (a constant delay): a FIFO, O(1)
   * per item. Only items due earlier than the FIFO's last go to the heap.
   */
  private fifo: Entry<T>[] = [];
  private fifoHead = 0;
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerDue = Number.POSITIVE_INFINITY;

  /**
   * @param deliver - called with each item once its time has come
   * @param now - clock in ms @default performance.now
   */
  constructor(
    private readonly deliver: (item: T) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Items waiting. */
  get size(): number {
    return this.heap.length + this.fifo.length - this.fifoHead;
  }

  /** Queues `item` to leave at `due` (ms on the queue's clock). */
  push(due: number, item: T): void {
    const entry = { due, seq: this.seq++, item };
    const last = this.fifo[this.fifo.length - 1];
    if (!last || this.fifoHead === this.fifo.length || due >= last.due) {
      if (this.fifoHead === this.fifo.length) {
        this.fifo = [];
        this.fifoHead = 0;
      }
      this.fifo.push(entry);
      this.arm();
      return;
    }
    const h = this.heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i] as Entry<T>, h[parent] as Entry<T>)) break;
      [h[i], h[parent]] = [h[parent] as Entry<T>, h[i] as Entry<T>];
      i = parent;
    }
    this.arm();
  }

  /** Drops everything waiting. */
  clear(): void {
    this.heap.length = 0;
    this.fifo = [];
    this.fifoHead = 0;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
  }

  private arm(): void {
    const first = this.peek();
    if (!first || first.due >= this.timerDue) return;
    clearTimeout(this.timer);
    this.timerDue = first.due;
    this.timer = setTimeout(() => this.fire(), Math.max(0, first.due - this.now()));
  }

  private fire(): void {
    this.timer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
    // Timers fire up to a millisecond late: release what is due within a tenth of one.
    const limit = this.now() + 0.1;
    for (let next = this.peek(); next && next.due <= limit; next = this.peek()) {
      this.deliver(this.take().item);
    }
    if (this.fifoHead > 4096 && this.fifoHead * 2 > this.fifo.length) {
      this.fifo = this.fifo.slice(this.fifoHead);
      this.fifoHead = 0;
    }
    this.arm();
  }

  /** The earliest item, FIFO or heap. */
  private peek(): Entry<T> | undefined {
    const f = this.fifo[this.fifoHead];
    const h = this.heap[0];
    if (!f) return h;
    if (!h) return f;
    return before(h, f) ? h : f;
  }

  private take(): Entry<T> {
    const f = this.fifo[this.fifoHead];
    const h = this.heap[0];
    if (f && (!h || !before(h, f))) {
      this.fifoHead++;
      return f;
    }
    return this.pop();
  }

  private pop(): Entry<T> {
    const h = this.heap;
    const top = h[0] as Entry<T>;
    const last = h.pop() as Entry<T>;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l] as Entry<T>, h[m] as Entry<T>)) m = l;
        if (r < h.length && before(h[r] as Entry<T>, h[m] as Entry<T>)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m] as Entry<T>, h[i] as Entry<T>];
        i = m;
      }
    }
    return top;
  }
}

function before<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}
