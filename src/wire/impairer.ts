/**
 * One direction of a link through the wire daemon: applies its
 * {@link Impairment} to each frame and hands the survivors on, at once or
 * when their time comes. Order of operations as in netem: loss, duplication,
 * corruption, then rate and delay.
 */
import { type Impairment, isImpaired, NO_IMPAIRMENT } from "../impairment.js";
import { TimerQueue } from "./timer-queue.js";

/** Longest a frame may queue behind a rate limit before it is dropped, ms (a tail-drop queue). */
export const RATE_QUEUE_MS = 200;

/** Counters of one direction. */
export interface ImpairStats {
  lost: number;
  duplicated: number;
  corrupted: number;
  /** Dropped because the rate queue was full. */
  overflow: number;
}

/** One direction's impairments, applied to each frame on its way out (netem's order). */
export class Impairer {
  readonly stats: ImpairStats = { lost: 0, duplicated: 0, corrupted: 0, overflow: 0 };
  private impairment: Impairment = NO_IMPAIRMENT;
  private readonly queue: TimerQueue<Buffer>;
  /** When the rate-limited link is next free, ms. */
  private linkFree = 0;

  /**
   * @param deliver - receives every frame that gets through, in departure order
   * @param random - uniform [0, 1) @default Math.random
   * @param now - clock in ms @default performance.now
   */
  constructor(
    private readonly deliver: (frame: Buffer) => void,
    private readonly random: () => number = Math.random,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.queue = new TimerQueue(deliver, now);
  }

  get current(): Impairment {
    return this.impairment;
  }

  /** Changes the impairment; frames already queued keep their departure time. */
  set(impairment: Impairment): void {
    // The unimpaired path is one identity check.
    this.impairment = isImpaired(impairment) ? impairment : NO_IMPAIRMENT;
  }

  /** Frames waiting for their time. */
  get queued(): number {
    return this.queue.size;
  }

  /** Drops every frame still waiting (the link went down). */
  flush(): void {
    this.queue.clear();
  }

  /** Passes one frame through. The frame must not be changed by the caller afterwards. */
  send(frame: Buffer): void {
    const i = this.impairment;
    if (i === NO_IMPAIRMENT) {
      this.deliver(frame);
      return;
    }
    if (i.lossPct && this.random() * 100 < i.lossPct) {
      this.stats.lost++;
      return;
    }
    const copies = i.duplicatePct && this.random() * 100 < i.duplicatePct ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    for (let c = 0; c < copies; c++) {
      let f = frame;
      if (i.corruptPct && this.random() * 100 < i.corruptPct) {
        f = Buffer.from(frame);
        const bit = Math.floor(this.random() * f.length * 8);
        f[bit >> 3] = (f[bit >> 3] as number) ^ (1 << (bit & 7));
        this.stats.corrupted++;
      }
      this.schedule(f);
    }
  }

  private schedule(frame: Buffer): void {
    const i = this.impairment;
    let due = 0;
    if (i.rateKbit) {
      const now = this.now();
      const start = Math.max(now, this.linkFree);
      if (start - now > RATE_QUEUE_MS) {
        this.stats.overflow++;
        return;
      }
      // Bits on the wire, Ethernet preamble and gap left out as netem does by default.
      this.linkFree = start + (frame.length * 8) / i.rateKbit;
      due = this.linkFree;
    }
    if (i.delayMs || i.jitterMs) {
      const jitter = i.jitterMs ? (this.random() * 2 - 1) * i.jitterMs : 0;
      due = Math.max(due, this.now()) + Math.max(0, i.delayMs + jitter);
    }
    if (due === 0) this.deliver(frame);
    else this.queue.push(due, frame);
  }
}
