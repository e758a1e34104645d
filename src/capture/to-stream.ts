/**
 * A capture written as pcapng to a stream (pcapng draft, sections 4.1-4.3:
 * one section header, one interface description per source named
 * `NODE:IFNAME` or after its link, an enhanced packet block per frame with
 * its interface and direction): what `wirelab capture -w` writes, to a
 * file, a pipe or standard output. Several sources are merged in timestamp
 * order (`merge.ts`).
 */
import type { Writable } from "node:stream";
import { LabError } from "../errors.js";
import type { LabTarget } from "../lab/resolve.js";
import { type Capture, type CaptureOptions, type CaptureTarget, startCapture } from "./capture.js";
import { TimeMerge } from "./merge.js";
import { enhancedPacket, interfaceDescription, sectionHeader } from "./pcapng.js";

/** Options of {@link captureToStream}. */
export interface CaptureToStreamOptions extends Omit<CaptureOptions, "onFrame"> {
  /** Stop after this many frames (of all sources). @default no limit */
  readonly count?: number;
  /** Stop when aborted (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** Called once every source listens, with the capture's name (its sources' names, joined by ", "). */
  readonly onStart?: (name: string) => void;
}

/** What a finished capture saw. */
export interface CaptureSummary {
  /** Its sources' names, joined by ", ". */
  readonly name: string;
  /** Frames written. */
  readonly frames: number;
  /** Packets skipped, by reason (e.g. `truncated`). */
  readonly skipped: Readonly<Record<string, number>>;
  /** Packets the kernel dropped because a tcpdump fell behind. */
  readonly dropped: number;
  /** Of several sources: frames written out of timestamp order (they came over 1.5 s late). */
  readonly late: number;
}

/** How often the merge of several sources looks at its queues, ms. */
const MERGE_TICK_MS = 50;

type Packet = Parameters<typeof enhancedPacket>;

/**
 * Captures until `count` frames, an abort, or the sources end, writing
 * pcapng to the stream `open` gives (the headers at once, so a reader such
 * as `tshark -r -` or `wireshark -k -i -` starts before the first frame).
 * One target is written as it comes; several get one interface each and
 * their frames are merged in timestamp order.
 *
 * @param what - one target, or several (each a pcapng interface, in this order)
 * @param open - opens the output, called once the capture runs (so an error
 *   before leaves no file behind); the stream is not ended
 * @throws {LabError} as {@link startCapture} (nothing is opened then), or for no target
 */
export async function captureToStream(
  target: LabTarget,
  what: CaptureTarget | readonly CaptureTarget[],
  open: () => Writable,
  options: CaptureToStreamOptions,
): Promise<CaptureSummary> {
  const targets: readonly CaptureTarget[] = Array.isArray(what) ? what : [what as CaptureTarget];
  if (targets.length === 0)
    throw new LabError("nothing to capture: name an interface, a node or a link");
  let out: Writable | undefined;
  let seen = 0;
  let stopping = false;
  // The count is reached: nothing more is written.
  let full = false;
  // Frames can come before every source listens (one tcpdump listens before the other): hold them.
  const early: Packet[] = [];
  let ready = false;
  let stop: () => void = () => undefined;
  const write = (args: Packet) => {
    if (full || !out) return;
    const o = out;
    // The writes of one tick go out together: one system call for a burst, none held back.
    if (!o.writableCorked) {
      o.cork();
      process.nextTick(() => o.uncork());
    }
    o.write(enhancedPacket(...args));
    seen++;
    if (options.count !== undefined && seen >= options.count) {
      full = true;
      stop();
    }
  };
  const merge =
    targets.length > 1
      ? new TimeMerge<{ source: number; tsNs: bigint; args: Packet }>(targets.length, (f) =>
          write(f.args),
        )
      : undefined;
  const deliver = (args: Packet) => {
    if (!ready) early.push(args);
    else if (merge) merge.push({ source: args[0], tsNs: args[1], args });
    else write(args);
  };
  const captures: Capture[] = [];
  try {
    for (const [i, t] of targets.entries())
      captures.push(
        await startCapture(target, t, {
          ...options,
          onFrame: (f) => deliver([i, f.tsNs, f.frame, f.direction, f.origLen]),
        }),
      );
  } catch (e) {
    await Promise.all(captures.map((c) => c.stop()));
    throw e;
  }
  stop = () => {
    if (stopping) return;
    stopping = true;
    for (const c of captures) void c.stop();
  };
  options.signal?.addEventListener("abort", stop, { once: true });
  out = open();
  out.write(sectionHeader());
  for (const c of captures) out.write(interfaceDescription(c.name));
  ready = true;
  const name = captures.map((c) => c.name).join(", ");
  options.onStart?.(name);
  for (const args of early.splice(0)) deliver(args);
  if (options.signal?.aborted) stop();
  const ticker = merge ? setInterval(() => merge.tick(), MERGE_TICK_MS) : undefined;
  try {
    await Promise.all(captures.map((c) => c.done));
  } finally {
    if (ticker) clearInterval(ticker);
  }
  // What the sources gave before they ended is written, in order (up to the count).
  merge?.drain();
  full = true;
  options.signal?.removeEventListener("abort", stop);
  const skipped: Record<string, number> = {};
  for (const c of captures)
    for (const [k, v] of Object.entries(c.stats.skipped)) skipped[k] = (skipped[k] ?? 0) + v;
  return {
    name,
    frames: seen,
    skipped,
    dropped: captures.reduce((n, c) => n + c.stats.dropped, 0),
    late: merge?.late ?? 0,
  };
}
