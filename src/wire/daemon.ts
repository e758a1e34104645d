/**
 * The wire daemon: one per lab, carrying its hub, switch and relayed links,
 * and the links spliced onto it live. Each VM NIC is a unix stream socket
 * QEMU listens on (`stream-port.ts`), a spliced VM NIC two of them (QEMU
 * filter-redirector chardevs); each namespace interface a UDP socket on
 * `node:dgram`, bound to 127.0.0.1 and connected to its socat's port (so
 * only its datagrams are taken, and sends need no address). A control
 * socket (see `control.ts`) shows counters, changes impairments and link
 * state live, streams captures, and reloads the configuration: links added
 * start, links removed stop, links kept are not touched. Errors on one
 * socket are counted, never fatal.
 */
import { createSocket, type Socket } from "node:dgram";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import type { WireConfig, WireLinkConfig } from "./config.js";
import { encodeRecord, handleControl, type LiveState } from "./control.js";
import { WireSegment } from "./segment.js";
import { StreamPort } from "./stream-port.js";

/** How long a spliced VM NIC's chardevs may take to accept the daemon, ms. */
const SPLICE_CONNECT_MS = 3000;

/** Kernel receive buffer of each port's socket, bytes: absorbs bursts of ~2,000 full frames. */
const RECV_BUFFER = 4 << 20;

/** A running daemon. */
export interface WireDaemon {
  readonly segments: ReadonlyMap<string, WireSegment>;
  /**
   * Socket errors by code (e.g. ECONNREFUSED while a socat is not there yet),
   * and frames a VM stream could not take (`not-connected`, `not-reading`).
   */
  readonly errors: Record<string, number>;
  /**
   * Carries the links of `next` from now on: links that are new (or whose
   * configuration changed) start, links gone stop (frames they still
   * queue are dropped), the others are not touched.
   *
   * @returns the names of the links started and stopped
   * @throws {Error} when a new port cannot be bound (the links started before it stay)
   */
  reload(next: WireConfig): Promise<{ started: string[]; stopped: string[] }>;
  close(): Promise<void>;
}

/** One link being carried: its segment and what to close when it goes. */
interface Carried {
  /** Its configuration as JSON, to tell a changed link from a kept one. */
  readonly key: string;
  readonly segment: WireSegment;
  readonly close: () => void;
}

/**
 * Starts carrying every link of `config`; resolves once every port is bound
 * and the control socket listens.
 *
 * @param load - reads the configuration again, for the control socket's
 *   `reload` (the daemon's process passes its file's reader)
 * @throws {Error} when a port or the control socket cannot be bound
 */
export async function startWireDaemon(
  config: WireConfig,
  load?: () => WireConfig,
): Promise<WireDaemon> {
  const errors: Record<string, number> = {};
  const count = (what: string) => {
    errors[what] = (errors[what] ?? 0) + 1;
  };
  const segments = new Map<string, WireSegment>();
  const carried = new Map<string, Carried>();
  const live = readLiveState(config.liveState);
  for (const link of config.links) await carry(link, live, segments, carried, count);
  // A change that cannot be saved (a read-only disk) is still applied: forwarding never stops for it.
  const saveLive = (): string | undefined => {
    const state: LiveState = { links: {} };
    for (const [name, seg] of segments) {
      const ports: LiveState["links"][string] = {};
      seg.ports.forEach((p, i) => {
        ports[p.name] = { impair: seg.impairment(i), up: seg.isUp(i) };
      });
      state.links[name] = ports;
    }
    try {
      writeFileSync(`${config.liveState}.tmp`, JSON.stringify(state));
      renameSync(`${config.liveState}.tmp`, config.liveState);
      return undefined;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      count(`save-${err.code ?? "error"}`);
      // Node's message without the path it repeats: "EROFS: read-only file system".
      return `${config.liveState} could not be written (${err.message.split(", ")[0]})`;
    }
  };
  // Reloads run one after another: two at once would both start a new link.
  let reloading: Promise<unknown> = Promise.resolve();
  const reload = (next: WireConfig) => {
    const run = reloading.then(async () => {
      const wanted = new Map(next.links.map((l) => [l.name, l]));
      const stopped: string[] = [];
      const started: string[] = [];
      for (const [name, c] of carried) {
        const w = wanted.get(name);
        if (w && JSON.stringify(w) === c.key) continue;
        c.close();
        carried.delete(name);
        segments.delete(name);
        stopped.push(name);
      }
      const kept = readLiveState(config.liveState);
      for (const link of next.links) {
        if (carried.has(link.name)) continue;
        await carry(link, kept, segments, carried, count);
        started.push(link.name);
      }
      saveLive();
      return { started, stopped };
    });
    reloading = run.catch(() => undefined);
    return run;
  };
  rmSync(config.control, { force: true });
  const server: Server = createServer((conn) =>
    handleControl(conn, {
      segments,
      errors,
      saveLive,
      encodeRecord,
      ...(load ? { reload: () => reload(load()) } : {}),
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.control, () => resolve());
  });
  writeFileSync(config.pidfile, `${process.pid}\n`);
  return {
    segments,
    errors,
    reload,
    async close() {
      for (const c of carried.values()) c.close();
      carried.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(config.control, { force: true });
    },
  };
}

/**
 * Starts carrying one link: its ports' sockets bound (UDP) or connecting
 * (streams), its impairments and cuts as `live` keeps them, else as planned.
 */
async function carry(
  link: WireLinkConfig,
  live: LiveState,
  segments: Map<string, WireSegment>,
  carried: Map<string, Carried>,
  count: (what: string) => void,
): Promise<void> {
  const sends: ((frame: Buffer) => void)[] = [];
  const binds: (() => Promise<void>)[] = [];
  const sockets: Socket[] = [];
  const streams: StreamPort[] = [];
  /** Chardevs of spliced VM NICs: QEMU diverts frames to them only once the daemon is there. */
  const awaited: StreamPort[] = [];
  // Frames that arrive before the segment exists are impossible: sockets start listening below.
  let seg: WireSegment | undefined;
  link.ports.forEach((p, i) => {
    const stream = p.stream ?? p.streams?.from;
    if (stream) {
      const port = new StreamPort(stream, (frame) => seg?.receive(i, frame), count);
      streams.push(port);
      // A spliced NIC side is handed its frames on a second chardev, which sends nothing.
      const to = p.streams ? new StreamPort(p.streams.to, () => undefined, count) : port;
      if (to !== port) streams.push(to);
      if (p.streams) awaited.push(port, to);
      sends.push((frame) => to.send(frame));
      return;
    }
    const s = createSocket({ type: "udp4", recvBufferSize: RECV_BUFFER });
    sockets.push(s);
    sends.push((frame) => s.send(frame));
    binds.push(
      () =>
        new Promise<void>((resolve, reject) => {
          s.once("error", reject);
          s.bind(p.listen, "127.0.0.1", () => {
            s.off("error", reject);
            s.on("error", (e: NodeJS.ErrnoException) => count(e.code ?? "error"));
            s.connect(p.peer, "127.0.0.1", () => {
              s.on("message", (msg) => seg?.receive(i, msg));
              resolve();
            });
          });
        }),
    );
  });
  const segment = new WireSegment(
    link.name,
    link.mode,
    link.ports.map((p, i) => ({ name: p.name, send: sends[i] as (frame: Buffer) => void })),
  );
  seg = segment;
  link.ports.forEach((p, i) => {
    const saved = live.links[link.name]?.[p.name];
    segment.impair(i, saved?.impair ?? p.impair);
    if (saved && !saved.up) segment.setUp(i, false);
  });
  const close = () => {
    segment.close();
    for (const s of sockets) s.close();
    for (const p of streams) p.close();
  };
  try {
    await Promise.all(binds.map((b) => b()));
    await Promise.all(awaited.map((s) => s.whenConnected(SPLICE_CONNECT_MS)));
  } catch (e) {
    close();
    throw e;
  }
  segments.set(link.name, segment);
  carried.set(link.name, { key: JSON.stringify(link), segment, close });
}

function readLiveState(file: string): LiveState {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as LiveState;
  } catch {
    return { links: {} };
  }
}
