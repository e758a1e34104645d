/**
 * The wire daemon: one per lab, carrying its hub, switch and relayed links.
 * Each VM NIC is a unix stream socket QEMU listens on (`stream-port.ts`);
 * each namespace interface a UDP socket on `node:dgram`, bound to 127.0.0.1
 * and connected to its socat's port (so only its datagrams are taken, and
 * sends need no address). A control socket (see
 * `control.ts`) shows counters, changes impairments and link state live, and
 * streams captures. Errors on one socket are counted, never fatal.
 */
import { createSocket, type Socket } from "node:dgram";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import type { WireConfig } from "./config.js";
import { encodeRecord, handleControl, type LiveState } from "./control.js";
import { WireSegment } from "./segment.js";
import { StreamPort } from "./stream-port.js";

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
  close(): Promise<void>;
}

/**
 * Starts carrying every link of `config`; resolves once every port is bound
 * and the control socket listens.
 *
 * @throws {Error} when a port or the control socket cannot be bound
 */
export async function startWireDaemon(config: WireConfig): Promise<WireDaemon> {
  const errors: Record<string, number> = {};
  const sockets: Socket[] = [];
  const segments = new Map<string, WireSegment>();
  const live = readLiveState(config.liveState);
  const streams: StreamPort[] = [];
  for (const link of config.links) {
    const sends: ((frame: Buffer) => void)[] = [];
    const binds: (() => Promise<void>)[] = [];
    // Frames that arrive before the segment exists are impossible: sockets start listening below.
    let seg: WireSegment | undefined;
    link.ports.forEach((p, i) => {
      if (p.stream) {
        const port = new StreamPort(
          p.stream,
          (frame) => seg?.receive(i, frame),
          (what) => {
            errors[what] = (errors[what] ?? 0) + 1;
          },
        );
        streams.push(port);
        sends.push((frame) => port.send(frame));
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
              s.on("error", (e: NodeJS.ErrnoException) => {
                const code = e.code ?? "error";
                errors[code] = (errors[code] ?? 0) + 1;
              });
              s.connect(p.peer, "127.0.0.1", () => {
                s.on("message", (msg) => seg?.receive(i, msg));
                resolve();
              });
            });
          }),
      );
    });
    seg = new WireSegment(
      link.name,
      link.mode,
      link.ports.map((p, i) => ({ name: p.name, send: sends[i] as (frame: Buffer) => void })),
    );
    segments.set(link.name, seg);
    const current = seg;
    link.ports.forEach((p, i) => {
      const saved = live.links[link.name]?.[p.name];
      current.impair(i, saved?.impair ?? p.impair);
      if (saved && !saved.up) current.setUp(i, false);
    });
    await Promise.all(binds.map((b) => b()));
  }
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
      errors[`save-${err.code ?? "error"}`] = (errors[`save-${err.code ?? "error"}`] ?? 0) + 1;
      // Node's message without the path it repeats: "EROFS: read-only file system".
      return `${config.liveState} could not be written (${err.message.split(", ")[0]})`;
    }
  };
  rmSync(config.control, { force: true });
  const server: Server = createServer((conn) =>
    handleControl(conn, { segments, errors, saveLive, encodeRecord }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.control, () => resolve());
  });
  writeFileSync(config.pidfile, `${process.pid}\n`);
  return {
    segments,
    errors,
    async close() {
      for (const s of sockets) s.close();
      for (const p of streams) p.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(config.control, { force: true });
    },
  };
}

function readLiveState(file: string): LiveState {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as LiveState;
  } catch {
    return { links: {} };
  }
}
