/**
 * Live capture of one node interface or one link: finds where its frames
 * are seen (the plan's capture point), runs the tcpdumps that see them (see
 * `sources.ts`), reads their pcap streams as they come, decapsulates UDP
 * tunnel datagrams, and hands on each frame with its direction. For tunnels
 * and the daemon the BPF filter applies to the inner frames: they go through
 * a `tcpdump -r -` that filters them.
 */
import type { Readable, Writable } from "node:stream";
import { LabError } from "../errors.js";
import { type LabDeps, resolveDeps } from "../lab/deps.js";
import { findNode } from "../lab/exec.js";
import { type LabTarget, requireLab } from "../lab/resolve.js";
import { capturePointOf, linkCapturePointOf } from "../plan/transports/index.js";
import type { CapturePoint } from "../plan/transports/types.js";
import { PlanView } from "../plan/view.js";
import type { ProcessHandle } from "../process.js";
import { labLayout } from "../providers/layout.js";
import { decapsulate } from "./decap.js";
import { OrderedMerge } from "./merge.js";
import { PcapReader } from "./pcap-reader.js";
import { pcapHeader, pcapRecord } from "./pcap-writer.js";
import type { Direction } from "./pcapng.js";
import { type CaptureSource, captureSources } from "./sources.js";
import { startWireSource } from "./wire-source.js";

/** How long a tcpdump may take to start listening, in ms. */
export const CAPTURE_READY_TIMEOUT_MS = 10_000;

/** How long a tcpdump that failed to start is given to say why (its exit), in ms. */
const FAILURE_WORDS_MS = 100;

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
  /** `NODE:IFNAME` or the link's name, for the pcapng interface name. */
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

/** What to capture: a node's interface, or a whole link. */
export type CaptureTarget =
  | { readonly node: string; readonly ifname: string }
  | { readonly link: string };

/** Options of {@link startCapture}. */
export interface CaptureOptions extends LabDeps {
  /** BPF filter words, applied to the frames on the wire (inside tunnels). */
  readonly filter?: readonly string[];
  /** Called for every frame, as soon as it is read. */
  readonly onFrame: (f: CapturedFrame) => void;
}

/**
 * Starts capturing a node's interface, or a whole link; resolves once every
 * source listens.
 *
 * @throws {LabError} for an unknown lab, node, interface or link, or a tcpdump that does not start (a bad filter)
 * @throws {PermissionError} without root
 */
export async function startCapture(
  target: LabTarget,
  what: CaptureTarget,
  options: CaptureOptions,
): Promise<Capture> {
  const deps = resolveDeps(options);
  const state = await requireLab(deps.store, target);
  const view = new PlanView(state.plan);
  const { point, name } = resolvePoint(view, state, what);
  deps.preflight.requireRoot("capture");
  deps.preflight.requireTools(["tcpdump"]);
  const filter = options.filter ?? [];
  const sources = captureSources(point, filter, {
    ports: state.ports,
    wireControl: labLayout(deps.store.labDir(state.lab)).wire.control,
  });
  const stats = { frames: 0, skipped: {} as Record<string, number>, dropped: 0 };
  // Everything that must end for the capture to be done, and how to stop it.
  const ended: Promise<unknown>[] = [];
  const stoppers: (() => void)[] = [];
  const listening: Promise<void>[] = [];
  const spawn = (argv: readonly string[], input: "pipe" | "ignore"): ProcessHandle => {
    const handle = deps.start(argv, {
      input,
      readyWhen: { stderr: /listening on|reading from file/ },
      readyTimeoutMs: CAPTURE_READY_TIMEOUT_MS,
    });
    ended.push(
      handle.done.then((exit) => {
        // tcpdump's closing statistics (a live capture's, on stderr).
        const dropped = /(\d+) packets? dropped by kernel/.exec(exit.stderr);
        if (dropped?.[1]) stats.dropped += Number(dropped[1]);
      }),
    );
    stoppers.push(() => void handle.stop());
    listening.push(
      handle.ready.catch(async () => {
        const exit = await Promise.race([
          handle.done,
          new Promise((r) => setTimeout(r, FAILURE_WORDS_MS)),
        ]);
        const said = (exit as { stderr?: string } | undefined)?.stderr?.trim();
        throw new LabError(`capture stopped: ${argv.join(" ")}${said ? `: ${said}` : ""}`);
      }),
    );
    return handle;
  };
  // The directions come from separate tcpdumps: put their frames back in time order.
  const merge = new OrderedMerge<CapturedFrame>(sources.length, (f) => {
    stats.frames++;
    options.onFrame(f);
  });
  sources.forEach((src, index) => {
    watchSource(src, {
      filter,
      stats,
      spawn,
      ended,
      stoppers,
      listening,
      // Copied when merged: the merge may hold it past the reader's next chunk.
      deliver: (tsNs, frame, origLen, direction) =>
        merge.push(index, tsNs, {
          tsNs,
          frame: sources.length > 1 ? Buffer.from(frame) : frame,
          origLen,
          direction,
        }),
    });
  });
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
    await done;
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

/** The capture point of what the user asked for, and the name to show. */
function resolvePoint(
  view: PlanView,
  state: Awaited<ReturnType<typeof requireLab>>,
  what: CaptureTarget,
): { point: CapturePoint; name: string } {
  if ("link" in what) {
    const link = state.plan.links.find((l) => l.name === what.link);
    if (!link)
      throw new LabError(
        `lab "${state.lab}" has no link "${what.link}" (links are: ${state.plan.links.map((l) => l.name).join(", ")})`,
      );
    return linkCapturePointOf(view, link);
  }
  const node = findNode(state, what.node);
  if (!node.interfaces.some((i) => i.ifname === what.ifname))
    throw new LabError(
      `node "${node.name}" has no interface "${what.ifname}" (it has: ${node.interfaces.map((i) => i.ifname).join(", ")})`,
    );
  return {
    point: capturePointOf(view, { node: what.node, ifname: what.ifname }),
    name: `${what.node}:${what.ifname}`,
  };
}

type Deliver = (tsNs: bigint, frame: Buffer, origLen: number, direction: Direction) => void;

interface SourceContext {
  readonly filter: readonly string[];
  readonly stats: Capture["stats"];
  readonly spawn: (argv: readonly string[], input: "pipe" | "ignore") => ProcessHandle;
  readonly ended: Promise<unknown>[];
  readonly stoppers: (() => void)[];
  readonly listening: Promise<void>[];
  readonly deliver: Deliver;
}

/** Starts one source and routes its frames, through a filter where the frames need one. */
function watchSource(src: CaptureSource, ctx: SourceContext): void {
  const onEnd: (() => void)[] = [];
  const sinks = new Map<Direction, (tsNs: bigint, frame: Buffer, origLen: number) => void>();
  const sinkFor = (direction: Direction) => {
    let sink = sinks.get(direction);
    if (sink) return sink;
    if (src.filterFrames && ctx.filter.length > 0) {
      // Frames through tcpdump's own filter, one per direction so that it survives.
      const filt = ctx.spawn(["tcpdump", "-r", "-", "-U", "-w", "-", ...ctx.filter], "pipe");
      const stdin = filt.stdin as Writable;
      stdin.on("error", () => undefined);
      stdin.write(pcapHeader());
      readPcap(filt.stdout as Readable, (r) => ctx.deliver(r.tsNs, r.data, r.origLen, direction));
      onEnd.push(() => stdin.end());
      sink = (tsNs, frame, origLen) => stdin.write(pcapRecord(tsNs, frame, origLen));
    } else {
      sink = (tsNs, frame, origLen) => ctx.deliver(tsNs, frame, origLen, direction);
    }
    sinks.set(direction, sink);
    return sink;
  };
  const endAll = () => {
    for (const f of onEnd) f();
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
    ctx.listening.push(wire.listening);
    ctx.ended.push(wire.ended.then(endAll));
    ctx.stoppers.push(wire.stop);
    return;
  }
  const child = ctx.spawn(src.argv, "ignore");
  child.stdout?.on("end", endAll);
  readPcap(child.stdout as Readable, (r) => {
    if (!src.decapsulate) return sinkFor(src.direction)(r.tsNs, r.data, r.origLen);
    const inner = decapsulate(r.linktype, r.data, r.origLen);
    if (typeof inner === "string") ctx.stats.skipped[inner] = (ctx.stats.skipped[inner] ?? 0) + 1;
    else
      sinkFor(inner.srcPort === src.port ? "outbound" : "inbound")(
        r.tsNs,
        inner.frame,
        inner.length,
      );
  });
}

function readPcap(stream: Readable, onRecord: ConstructorParameters<typeof PcapReader>[0]): void {
  const reader = new PcapReader(onRecord);
  stream.on("data", (d: Buffer) => reader.push(d));
}
