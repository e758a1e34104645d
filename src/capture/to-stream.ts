/**
 * A capture written as pcapng to a stream (pcapng draft, sections 4.1-4.3:
 * one section header, one interface description named `NODE:IFNAME`, an
 * enhanced packet block per frame with its direction): what `wirelab
 * capture -w` writes, to a file, a pipe or standard output.
 */
import type { Writable } from "node:stream";
import type { LabTarget } from "../lab/resolve.js";
import { type CaptureOptions, type CaptureTarget, startCapture } from "./capture.js";
import { enhancedPacket, interfaceDescription, sectionHeader } from "./pcapng.js";

/** Options of {@link captureToStream}. */
export interface CaptureToStreamOptions extends Omit<CaptureOptions, "onFrame"> {
  /** Stop after this many frames. @default no limit */
  readonly count?: number;
  /** Stop when aborted (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** Called once every source listens, with the capture's name. */
  readonly onStart?: (name: string) => void;
}

/** What a finished capture saw. */
export interface CaptureSummary {
  readonly name: string;
  /** Frames written. */
  readonly frames: number;
  /** Packets skipped, by reason (e.g. `truncated`). */
  readonly skipped: Readonly<Record<string, number>>;
  /** Packets the kernel dropped because a tcpdump fell behind. */
  readonly dropped: number;
}

/**
 * Captures until `count` frames, an abort, or the sources end, writing
 * pcapng to the stream `open` gives (the headers at once, so a reader such
 * as `tshark -r -` or `wireshark -k -i -` starts before the first frame).
 *
 * @param open - opens the output, called once the capture runs (so an error
 *   before leaves no file behind); the stream is not ended
 * @throws {LabError} as {@link startCapture}; nothing is opened then
 */
export async function captureToStream(
  target: LabTarget,
  what: CaptureTarget,
  open: () => Writable,
  options: CaptureToStreamOptions,
): Promise<CaptureSummary> {
  let out: Writable | undefined;
  let seen = 0;
  let stopping = false;
  // Frames can come before startCapture returns (one tcpdump listens before the other): hold them.
  const early: Parameters<typeof enhancedPacket>[] = [];
  let ready = false;
  let stop: () => void = () => undefined;
  const write = (args: Parameters<typeof enhancedPacket>) => {
    if (stopping || !out) return;
    const o = out;
    // The writes of one tick go out together: one system call for a burst, none held back.
    if (!o.writableCorked) {
      o.cork();
      process.nextTick(() => o.uncork());
    }
    o.write(enhancedPacket(...args));
    if (options.count !== undefined && ++seen >= options.count) stop();
  };
  const capture = await startCapture(target, what, {
    ...options,
    onFrame: (f) => {
      const args: Parameters<typeof enhancedPacket> = [0, f.tsNs, f.frame, f.direction, f.origLen];
      if (ready) write(args);
      else early.push(args);
    },
  });
  stop = () => {
    if (stopping) return;
    stopping = true;
    void capture.stop();
  };
  options.signal?.addEventListener("abort", stop, { once: true });
  out = open();
  out.write(sectionHeader());
  out.write(interfaceDescription(capture.name));
  ready = true;
  options.onStart?.(capture.name);
  for (const args of early.splice(0)) write(args);
  if (options.signal?.aborted) stop();
  await capture.done;
  options.signal?.removeEventListener("abort", stop);
  return {
    name: capture.name,
    frames: capture.stats.frames,
    skipped: capture.stats.skipped,
    dropped: capture.stats.dropped,
  };
}
