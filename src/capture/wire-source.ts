/**
 * Frames of a link the wire daemon carries, read from its control socket
 * (record format in `src/wire/control.ts`): no tcpdump involved.
 */
import { LabError } from "../errors.js";
import { WireClient } from "../wire/client.js";
import { RECORD_HEADER } from "../wire/control.js";

/** A capture from the daemon. */
export interface WireSource {
  /** Resolves once the daemon streams. */
  readonly listening: Promise<void>;
  /** Resolves when the stream has ended. */
  readonly ended: Promise<void>;
  stop(): void;
}

/**
 * @param port - `node:iface`, or undefined for the whole link
 * @param onFrame - `way` is `rx` for frames the port's node sent, `tx` for frames it was given
 */
export function startWireSource(
  control: string,
  link: string,
  port: string | undefined,
  onFrame: (way: "rx" | "tx", tsNs: bigint, frame: Buffer) => void,
): WireSource {
  let client: WireClient | undefined;
  let buf: Buffer = Buffer.alloc(0);
  const onData = (d: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, d]) : d;
    let off = 0;
    while (buf.length - off >= RECORD_HEADER) {
      const len = buf.readUInt32LE(off);
      if (buf.length - off - RECORD_HEADER < len) break;
      const way = buf.readUInt8(off + 6) === 0 ? "rx" : "tx";
      const ts = buf.readBigUInt64LE(off + 8);
      onFrame(way, ts, buf.subarray(off + RECORD_HEADER, off + RECORD_HEADER + len));
      off += RECORD_HEADER + len;
    }
    buf = buf.subarray(off);
  };
  let endedResolve: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => {
    endedResolve = resolve;
  });
  const listening = (async () => {
    try {
      client = await WireClient.connect(control);
    } catch {
      endedResolve();
      throw new LabError(
        `the wire daemon is not running (no ${control}); "wirelab up" starts it again`,
      );
    }
    client.socket.on("close", endedResolve);
    await client.capture(link, port, onData);
  })();
  listening.catch(() => endedResolve());
  return {
    listening,
    ended,
    stop: () => {
      if (client) client.close();
      else endedResolve();
    },
  };
}
