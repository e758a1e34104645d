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
import type { Runner } from "../exec.js";
import { type LabDeps, resolveDeps } from "../lab/deps.js";
import { findNode } from "../lab/exec.js";
import { type LabTarget, requireLab } from "../lab/resolve.js";
import { capturePointOf, linkCapturePointOf } from "../plan/transports/index.js";
import type { CapturePoint } from "../plan/transports/types.js";
import { PlanView } from "../plan/view.js";
import type { ProcessHandle } from "../process.js";
import { labLayout } from "../providers/layout.js";
import { decapsulate } from "./decap.js";
import { DirectionOracle } from "./direction.js";
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
  deps.preflight.requireRoot("capture");
  const state = await requireLab(deps.store, target);
  const view = new PlanView(state.plan);
  const { point, name } = resolvePoint(view, state, what);
  deps.preflight.requireTools(["tcpdump"]);
  const filter = options.filter ?? [];
  const sources = captureSources(point, filter, {
    ports: state.ports,
    wireControl: labLayout(deps.store.labDir(state.lab)).wire.control,
    ...(point.type === "device" && !point.segment
      ? { ifindex: await ifindexOf(deps.run, point.device, point.namespace) }
      : {}),
  });
  const stats = { frames: 0, skipped: {} as Record<string, number>, dropped: 0 };
  // Everything that must end for the capture to be done, and how to stop it.
  const ended: Promise<unknown>[] = [];
  const stoppers: (() => void)[] = [];
  const listening: Promise<void>[] = [];
  const flushes: (() => void)[] = [];
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
  for (const src of sources) {
    watchSource(src, {
      filter,
      stats,
      spawn,
      ended,
      stoppers,
      listening,
      flushes,
      deliver: (tsNs, frame, origLen, direction) => {
        stats.frames++;
        options.onFrame({ tsNs, frame, origLen, direction });
      },
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
  const done = waitAll().then(() => {
    for (const f of flushes) f();
  });
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
    // A spliced p2p link passes the daemon whole; a LAN's bridge still sees every frame.
    const spliced =
      link.type === "p2p" ? state.spliced?.find((x) => x.link === link.name) : undefined;
    if (spliced) return { point: { type: "daemon", link: spliced.name }, name: link.name };
    return linkCapturePointOf(view, link);
  }
  const node = findNode(state, what.node);
  if (!node.interfaces.some((i) => i.ifname === what.ifname))
    throw new LabError(
      `node "${node.name}" has no interface "${what.ifname}" (it has: ${node.interfaces.map((i) => i.ifname).join(", ")})`,
    );
  const name = `${what.node}:${what.ifname}`;
  // Spliced, what the interface sends leaves before its own capture point would see it: the daemon's port sees both ways.
  const link = view.linkOf(what.node, what.ifname);
  const spliced = state.spliced?.find(
    (x) => x.link === link.name && x.ports.some((p) => p.name === name),
  );
  if (spliced) return { point: { type: "daemon", link: spliced.name, port: name }, name };
  return { point: capturePointOf(view, { node: what.node, ifname: what.ifname }), name };
}

interface HeldFrame {
  readonly tsNs: bigint;
  readonly frame: Buffer;
  readonly origLen: number;
}

type Deliver = (tsNs: bigint, frame: Buffer, origLen: number, direction: Direction) => void;

interface SourceContext {
  readonly filter: readonly string[];
  readonly stats: Capture["stats"];
  readonly spawn: (argv: readonly string[], input: "pipe" | "ignore") => ProcessHandle;
  readonly ended: Promise<unknown>[];
  readonly stoppers: (() => void)[];
  readonly listening: Promise<void>[];
  /** Called once everything has ended: hand on what is still held. */
  readonly flushes: (() => void)[];
  readonly deliver: Deliver;
}

/** Starts one source and routes its frames, in order, through a filter where the frames need one. */
function watchSource(src: CaptureSource, ctx: SourceContext): void {
  const onEnd: (() => void)[] = [];
  // The filter starts with the first frame, so a capture that sees none runs one process less.
  let sink: Deliver | undefined;
  const out: Deliver = (tsNs, frame, origLen, direction) => {
    sink ??= src.filterFrames && ctx.filter.length > 0 ? filterStage(ctx, onEnd) : ctx.deliver;
    sink(tsNs, frame, origLen, direction);
  };
  const endAll = () => {
    for (const f of onEnd) f();
  };
  if (src.wire) {
    const w = src.wire;
    const wire = startWireSource(w.control, w.link, w.port, (way, tsNs, frame) =>
      out(
        tsNs,
        frame,
        frame.length,
        w.port === undefined ? "unknown" : way === "rx" ? "outbound" : "inbound",
      ),
    );
    ctx.listening.push(wire.listening);
    ctx.ended.push(wire.ended.then(endAll));
    ctx.stoppers.push(wire.stop);
    return;
  }
  const child = ctx.spawn(src.argv, "ignore");
  child.stdout?.on("end", endAll);
  if (src.directions) {
    // Frames wait (copied: a read chunk is reused) until their direction is known.
    const oracle = new DirectionOracle<HeldFrame>(
      (f, direction) => out(f.tsNs, f.frame, f.origLen, direction),
      src.directions.reversed,
    );
    const types = ctx.spawn(src.directions.argv, "ignore");
    readPcap(types.stdout as Readable, (r) => oracle.packet(r.tsNs, r.data));
    readPcap(child.stdout as Readable, (r) =>
      oracle.frame(r.tsNs, { tsNs: r.tsNs, frame: Buffer.from(r.data), origLen: r.origLen }),
    );
    ctx.flushes.push(() => oracle.flush());
    return;
  }
  readPcap(child.stdout as Readable, (r) => {
    if (!src.decapsulate) return out(r.tsNs, r.data, r.origLen, src.direction);
    const inner = decapsulate(r.linktype, r.data, r.origLen);
    if (typeof inner === "string") ctx.stats.skipped[inner] = (ctx.stats.skipped[inner] ?? 0) + 1;
    else
      out(r.tsNs, inner.frame, inner.length, inner.srcPort === src.port ? "outbound" : "inbound");
  });
}

/** Frames remembered by the filter stage, by sequence number: 2^18 (3.7 s at 70,000 frames/s). */
const FILTER_RING = 1 << 18;

/**
 * Frames through one `tcpdump -r - -w -` that applies the user's filter,
 * in order. Each frame goes in with its sequence number as its timestamp
 * (microseconds: tcpdump writes microsecond pcap), and comes out, if it
 * passes, with the same: its real timestamp and direction are looked up.
 */
function filterStage(ctx: SourceContext, onEnd: (() => void)[]): Deliver {
  const filt = ctx.spawn(["tcpdump", "-r", "-", "-U", "-w", "-", ...ctx.filter], "pipe");
  const stdin = filt.stdin as Writable;
  stdin.on("error", () => undefined);
  stdin.write(pcapHeader());
  const seqs = new Float64Array(FILTER_RING).fill(-1);
  const stamps = new BigInt64Array(FILTER_RING);
  const ways = new Uint8Array(FILTER_RING);
  const DIRECTIONS: readonly Direction[] = ["unknown", "inbound", "outbound"];
  let next = 0;
  readPcap(filt.stdout as Readable, (r) => {
    const seq = Number(r.tsNs / 1000n);
    const slot = seq % FILTER_RING;
    // Overwritten meanwhile (the filter fell more than the ring behind): the time it passed.
    const known = seqs[slot] === seq;
    ctx.deliver(
      known ? (stamps[slot] as bigint) : BigInt(Date.now()) * 1_000_000n,
      r.data,
      r.origLen,
      known ? (DIRECTIONS[ways[slot] as number] as Direction) : "unknown",
    );
  });
  onEnd.push(() => stdin.end());
  return (tsNs, frame, origLen, direction) => {
    const seq = next++;
    const slot = seq % FILTER_RING;
    seqs[slot] = seq;
    stamps[slot] = tsNs;
    ways[slot] = DIRECTIONS.indexOf(direction);
    stdin.write(pcapRecord(BigInt(seq) * 1000n, frame, origLen));
  };
}

function readPcap(stream: Readable, onRecord: ConstructorParameters<typeof PcapReader>[0]): void {
  const reader = new PcapReader(onRecord);
  stream.on("data", (d: Buffer) => reader.push(d));
}

/**
 * The interface index of a device, in its namespace (`ip -json link show`).
 *
 * @throws {LabError} when the device is not there
 */
async function ifindexOf(run: Runner, device: string, namespace?: string): Promise<number> {
  const r = await run(
    "ip",
    [...(namespace ? ["-n", namespace] : []), "-json", "link", "show", "dev", device],
    { check: false },
  );
  const index =
    r.exitCode === 0 ? (JSON.parse(r.stdout) as { ifindex?: number }[])[0]?.ifindex : undefined;
  if (index === undefined)
    throw new LabError(
      `${device}${namespace ? ` in ${namespace}` : ""} is missing: run "wirelab up" to repair the lab`,
    );
  return index;
}
