/**
 * Live capture of one node interface: runs the tcpdumps that see it (see
 * `sources.ts`), reads their pcap streams as they come, decapsulates UDP
 * tunnel datagrams, and hands on each frame with its direction. For tunnels
 * the BPF filter applies to the inner frames: they go through a
 * `tcpdump -r -` that filters them.
 */
import type { Readable, Writable } from "node:stream";
import { execa } from "execa";
import { LabError } from "../errors.js";
import { findNode } from "../lab/exec.js";
import { requireRoot, requireTools } from "../lab/preflight.js";
import { type LabTarget, requireLab } from "../lab/resolve.js";
import { StateStore } from "../lab/state.js";
import { wireFiles } from "../providers/wire/provider.js";
import { decapsulate } from "./decap.js";
import { OrderedMerge } from "./merge.js";
import { PcapReader } from "./pcap-reader.js";
import { pcapHeader, pcapRecord } from "./pcap-writer.js";
import type { Direction } from "./pcapng.js";
import { captureSources, linkCaptureSources } from "./sources.js";
import { startWireSource } from "./wire-source.js";

/** A frame as captured. */
export interface CapturedFrame {
  /** Capture time, ns since the epoch (the outer packet's, for tunnels). */
  readonly tsNs: bigint;
  /** The Ethernet frame: may be a view into a read chunk; copy it to keep it for long (a view pins its chunk). */
  readonly frame: Buffer;
  /** The frame's length on the wire, in bytes: more than `frame.length` when the capture cut it short. */
  readonly origLen: number;
  readonly direction: Direction;
}

/** A running capture. */
export interface Capture {
  /** `NODE:IFACE`, for the pcapng interface name. */
  readonly name: string;
  /**
   * Frames handed on; packets skipped by reason (truncated, not-udp, …);
   * packets the kernel dropped because tcpdump did not read them in time
   * (its "dropped by kernel" count, known once the capture has stopped).
   */
  readonly stats: { frames: number; skipped: Record<string, number>; dropped: number };
  /** Stops every tcpdump; resolves when all have exited. */
  stop(): Promise<void>;
  /** Resolves when every tcpdump has exited. */
  readonly done: Promise<void>;
}

export interface CaptureOptions {
  /** BPF filter words, applied to the frames on the wire (inside tunnels). */
  readonly filter?: readonly string[];
  /** Called for every frame, as soon as it is read. */
  readonly onFrame: (f: CapturedFrame) => void;
  /** @default new StateStore() */
  readonly store?: StateStore;
}

/**
 * Starts capturing a node's interface, or a whole link; resolves once every tcpdump listens.
 *
 * @throws {LabError} for an unknown lab, node or interface
 * @throws {PermissionError} without root
 */
export async function startCapture(
  target: LabTarget,
  what: { readonly node: string; readonly iface: string } | { readonly link: string },
  options: CaptureOptions,
): Promise<Capture> {
  const store = options.store ?? new StateStore();
  const state = await requireLab(store, target);
  requireRoot("capture");
  requireTools(["tcpdump"]);
  const filter = options.filter ?? [];
  const wireControl = wireFiles(store.labDir(state.lab)).control;
  let sources: ReturnType<typeof captureSources>;
  let name: string;
  try {
    if ("link" in what) {
      ({ name, sources } = linkCaptureSources(
        state.plan,
        what.link,
        state.ports,
        filter,
        wireControl,
      ));
    } else {
      sources = captureSources(
        state.plan,
        findNode(state, what.node),
        what.iface,
        state.ports,
        filter,
        wireControl,
      );
      name = `${what.node}:${what.iface}`;
    }
  } catch (e) {
    if (e instanceof LabError) throw e;
    throw new LabError((e as Error).message);
  }
  const stats = { frames: 0, skipped: {} as Record<string, number>, dropped: 0 };
  const captureOptions = { buffer: false, reject: false, stdin: "pipe" } as const;
  // Everything that must end for the capture to be done, and how to stop it.
  const ended: Promise<unknown>[] = [];
  const stoppers: (() => void)[] = [];
  const listening: Promise<void>[] = [];
  const spawn = (argv: readonly string[]) => {
    const child = execa(argv[0] as string, argv.slice(1), captureOptions);
    ended.push(child);
    stoppers.push(() => child.kill("SIGTERM"));
    listening.push(
      new Promise((resolve, reject) => {
        let err = "";
        child.stderr?.on("data", (d: Buffer) => {
          err += d.toString();
          if (err.includes("listening on") || err.includes("reading from file")) resolve();
        });
        void child.then((r) => {
          // tcpdump's closing statistics (a live capture's, on stderr).
          const dropped = /(\d+) packets? dropped by kernel/.exec(err);
          if (dropped?.[1]) stats.dropped += Number(dropped[1]);
          reject(
            new LabError(
              `capture stopped: ${argv.join(" ")}: ${err.trim() || `exit ${r.exitCode}`}`,
            ),
          );
        });
      }),
    );
    return child;
  };
  // The directions come from separate tcpdumps: put their frames back in time order.
  const merge = new OrderedMerge<CapturedFrame>(sources.length, (f) => {
    stats.frames++;
    options.onFrame(f);
  });
  for (const [index, src] of sources.entries()) {
    // Copied when merged: the merge may hold it past the reader's next chunk.
    const copy = sources.length > 1;
    const deliver = (tsNs: bigint, frame: Buffer, origLen: number, direction: Direction) =>
      merge.push(index, tsNs, {
        tsNs,
        frame: copy ? Buffer.from(frame) : frame,
        origLen,
        direction,
      });
    const onEnd: (() => void)[] = [];
    const sinks = new Map<Direction, (tsNs: bigint, frame: Buffer, origLen: number) => void>();
    const sinkFor = (direction: Direction) => {
      let sink = sinks.get(direction);
      if (sink) return sink;
      if (src.filterFrames && filter.length > 0) {
        // Frames through tcpdump's own filter, one per direction so that it survives.
        const filt = spawn(["tcpdump", "-r", "-", "-U", "-w", "-", ...filter]);
        const stdin = filt.stdin as Writable;
        stdin.write(pcapHeader());
        readPcap(filt.stdout as Readable, (r) => deliver(r.tsNs, r.data, r.origLen, direction));
        onEnd.push(() => stdin.end());
        sink = (tsNs, frame, origLen) => stdin.write(pcapRecord(tsNs, frame, origLen));
      } else {
        sink = (tsNs, frame, origLen) => deliver(tsNs, frame, origLen, direction);
      }
      sinks.set(direction, sink);
      return sink;
    };
    if (src.wire) {
      const w = src.wire;
      const wire = startWireSource(w.control, w.link, w.port, (way, tsNs, frame) =>
        sinkFor(w.port === undefined ? "unknown" : way === "rx" ? "outbound" : "inbound")(
          tsNs,
          frame,
          frame.length,
        ),
      );
      listening.push(wire.listening);
      ended.push(
        wire.ended.then(() =>
          onEnd.forEach((f) => {
            f();
          }),
        ),
      );
      stoppers.push(wire.stop);
      continue;
    }
    const child = spawn(src.argv);
    child.stdout?.on("end", () =>
      onEnd.forEach((f) => {
        f();
      }),
    );
    readPcap(child.stdout as Readable, (r) => {
      if (!src.decapsulate) return sinkFor(src.direction)(r.tsNs, r.data, r.origLen);
      const inner = decapsulate(r.linktype, r.data, r.origLen);
      if (typeof inner === "string") stats.skipped[inner] = (stats.skipped[inner] ?? 0) + 1;
      else
        sinkFor(inner.srcPort === src.port ? "outbound" : "inbound")(
          r.tsNs,
          inner.frame,
          inner.length,
        );
    });
  }
  const sourceListening = listening.slice(0);
  // Filter tcpdumps start with the first frame: nobody waits for them, so their end must not be an unhandled rejection.
  const waitAll = async () => {
    for (;;) {
      const n = ended.length;
      await Promise.all(ended);
      if (ended.length === n) return;
    }
  };
  const done = waitAll().then(() => merge.flush());
  for (const l of listening) l.catch(() => undefined);
  try {
    await Promise.all(sourceListening);
  } catch (e) {
    for (const stop of stoppers) stop();
    throw e;
  }
  return {
    name,
    stats,
    done,
    async stop() {
      for (const stop of stoppers) stop();
      await done;
    },
  };
}

function readPcap(stream: Readable, onRecord: ConstructorParameters<typeof PcapReader>[0]): void {
  const reader = new PcapReader(onRecord);
  stream.on("data", (d: Buffer) => reader.push(d));
}
