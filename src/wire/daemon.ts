/**
 * The wire daemon: one per lab, carrying its hub, switch and relayed links
 * on `node:dgram`. Each VM NIC is a QEMU UDP tunnel to one daemon socket,
 * bound to 127.0.0.1 and connected to the VM's own port (so only that VM's
 * datagrams are taken, and sends need no address). A control socket (see
 * `control.ts`) shows counters, changes impairments and link state live, and
 * streams captures. Errors on one socket are counted, never fatal.
 */
import { createSocket, type Socket } from "node:dgram";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import type { WireConfig } from "./config.js";
import { encodeRecord, handleControl, type LiveState } from "./control.js";
import { WireSegment } from "./segment.js";

/** Kernel receive buffer of each port's socket, bytes: absorbs bursts of ~2,000 full frames. */
const RECV_BUFFER = 4 << 20;

/** A running daemon. */
export interface WireDaemon {
  readonly segments: ReadonlyMap<string, WireSegment>;
  /** Socket errors by code (e.g. ECONNREFUSED while a VM is not listening yet). */
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
  for (const link of config.links) {
    const socks = link.ports.map(() => createSocket({ type: "udp4", recvBufferSize: RECV_BUFFER }));
    sockets.push(...socks);
    const seg = new WireSegment(
      link.name,
      link.mode,
      link.ports.map((p, i) => {
        const s = socks[i] as Socket;
        return { name: p.name, send: (frame: Buffer) => s.send(frame) };
      }),
    );
    segments.set(link.name, seg);
    link.ports.forEach((p, i) => {
      const saved = live.links[link.name]?.[p.name];
      seg.impair(i, saved?.impair ?? p.impair);
      if (saved && !saved.up) seg.setUp(i, false);
    });
    await Promise.all(
      link.ports.map(
        (p, i) =>
          new Promise<void>((resolve, reject) => {
            const s = socks[i] as Socket;
            s.once("error", reject);
            s.bind(p.listen, "127.0.0.1", () => {
              s.off("error", reject);
              s.on("error", (e: NodeJS.ErrnoException) => {
                const code = e.code ?? "error";
                errors[code] = (errors[code] ?? 0) + 1;
              });
              s.connect(p.peer, "127.0.0.1", () => {
                s.on("message", (msg) => seg.receive(i, msg));
                resolve();
              });
            });
          }),
      ),
    );
  }
  const saveLive = () => {
    const state: LiveState = { links: {} };
    for (const [name, seg] of segments) {
      const ports: LiveState["links"][string] = {};
      seg.ports.forEach((p, i) => {
        ports[p.name] = { impair: seg.impairment(i), up: seg.isUp(i) };
      });
      state.links[name] = ports;
    }
    writeFileSync(`${config.liveState}.tmp`, JSON.stringify(state));
    renameSync(`${config.liveState}.tmp`, config.liveState);
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
