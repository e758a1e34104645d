/**
 * The wire daemon's control protocol, on a unix socket: one JSON request per
 * line, one JSON reply per line (`{"ok":true,…}` or `{"ok":false,"error":…}`).
 *
 * | request | reply |
 * |---|---|
 * | `{"op":"show"}` | `{"ok":true,"pid":N,"errors":{…},"links":[{name,mode,ports:[{name,up,impair,stats}]}]}` |
 * | `{"op":"impair","link":L,"port":"node:iface","impair":Impairment}` | `{"ok":true}`, with `"notSaved":why` when the change could not be kept on disk |
 * | `{"op":"set-link","link":L,"port":"node:iface","up":false}` | the same |
 * | `{"op":"capture","link":L,"port":"node:iface"?}` | `{"ok":true,"ports":[…]}`, then capture records until the client closes |
 * | `{"op":"reload"}` | `{"ok":true,"started":[…],"stopped":[…]}` once the links of the configuration file are carried: new ones started, gone ones stopped, kept ones untouched |
 *
 * `show` gives each port's `queued`: frames its impairments still hold back.
 *
 * A capture record (little-endian): u32 frame length, u16 port index, u8 way
 * (0: the port's node sent it, 1: handed to the port's node), u8 0, u64
 * capture time in ns since the epoch, then the frame. A client that reads too
 * slowly loses records (counted in `show` as `captureDropped`); the
 * forwarding never waits for it.
 */
import type { Socket } from "node:net";
import type { Impairment } from "../impairment.js";
import type { SegmentFrame, WireSegment } from "./segment.js";

/** Live changes the daemon keeps across restarts. */
export interface LiveState {
  links: Record<string, Record<string, { impair: Impairment; up: boolean }>>;
}

/** Bytes a capture client may have unread before records are dropped. */
const CAPTURE_BACKLOG = 16 << 20;

/** Header bytes of a capture record. */
export const RECORD_HEADER = 16;

const epochOffsetNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

/** Encodes one capture record. */
export function encodeRecord(f: SegmentFrame): Buffer {
  const out = Buffer.allocUnsafe(RECORD_HEADER + f.frame.length);
  out.writeUInt32LE(f.frame.length, 0);
  out.writeUInt16LE(f.port, 4);
  out.writeUInt8(f.way === "rx" ? 0 : 1, 6);
  out.writeUInt8(0, 7);
  out.writeBigUInt64LE(process.hrtime.bigint() + epochOffsetNs, 8);
  f.frame.copy(out, RECORD_HEADER);
  return out;
}

interface ControlContext {
  readonly segments: ReadonlyMap<string, WireSegment>;
  readonly errors: Record<string, number>;
  /** Saves the live state; returns why it could not (a read-only disk), else undefined. */
  readonly saveLive: () => string | undefined;
  readonly encodeRecord: (f: SegmentFrame) => Buffer;
  /** Reads the configuration file again and carries what it says (the daemon's process only). */
  readonly reload?: () => Promise<{ started: string[]; stopped: string[] }>;
}

let captureDropped = 0;

/** Serves one control connection. */
export function handleControl(conn: Socket, ctx: ControlContext): void {
  let buf = "";
  conn.on("error", () => undefined);
  conn.on("data", (d) => {
    buf += d.toString();
    for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim()) request(conn, ctx, line);
    }
  });
}

/** The reply to a change: applied, and saved or not (then it is lost when the daemon restarts). */
function saved(notSaved: string | undefined): object {
  return notSaved === undefined ? { ok: true } : { ok: true, notSaved };
}

function request(conn: Socket, ctx: ControlContext, line: string): void {
  const reply = (r: object) => conn.write(`${JSON.stringify(r)}\n`);
  let req: { op?: string; link?: string; port?: string; impair?: Impairment; up?: boolean };
  try {
    req = JSON.parse(line);
  } catch {
    reply({ ok: false, error: "not JSON" });
    return;
  }
  if (req.op === "show") {
    reply({
      ok: true,
      pid: process.pid,
      errors: ctx.errors,
      captureDropped,
      links: [...ctx.segments.values()].map((s) => ({
        name: s.name,
        mode: s.mode,
        ports: s.ports.map((p, i) => ({
          name: p.name,
          up: s.isUp(i),
          impair: s.impairment(i),
          queued: s.queued(i),
          stats: s.stats[i],
        })),
      })),
    });
    return;
  }
  if (req.op === "reload") {
    if (!ctx.reload) {
      reply({ ok: false, error: "this daemon has no configuration file to reload" });
      return;
    }
    ctx.reload().then(
      (r) => reply({ ok: true, ...r }),
      (e: Error) => reply({ ok: false, error: `reload failed: ${e.message}` }),
    );
    return;
  }
  const seg = req.link !== undefined ? ctx.segments.get(req.link) : undefined;
  if (!seg) {
    reply({ ok: false, error: `the wire daemon carries no link "${req.link}"` });
    return;
  }
  const port = req.port === undefined ? -1 : seg.ports.findIndex((p) => p.name === req.port);
  if (req.port !== undefined && port < 0) {
    reply({ ok: false, error: `link "${seg.name}" has no port "${req.port}"` });
    return;
  }
  switch (req.op) {
    case "impair":
      if (port < 0 || !req.impair) break;
      seg.impair(port, req.impair);
      reply(saved(ctx.saveLive()));
      return;
    case "set-link":
      if (port < 0 || typeof req.up !== "boolean") break;
      seg.setUp(port, req.up);
      reply(saved(ctx.saveLive()));
      return;
    case "capture": {
      reply({ ok: true, ports: seg.ports.map((p) => p.name) });
      const untap = seg.tap((f) => {
        // One port: both ways at that port. The whole link: each frame once, as sent.
        if (port >= 0 ? f.port !== port : f.way !== "rx") return;
        if (conn.writableLength > CAPTURE_BACKLOG) {
          captureDropped++;
          return;
        }
        // The records of one turn of the event loop leave in one write (writev), not
        // one system call each: nextTick would uncork after every datagram's callback.
        if (!conn.writableCorked) {
          conn.cork();
          setImmediate(() => conn.uncork());
        }
        conn.write(ctx.encodeRecord(f));
      });
      conn.on("close", untap);
      return;
    }
  }
  reply({ ok: false, error: `bad request: ${line}` });
}
