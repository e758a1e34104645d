/**
 * A VM NIC reached over QEMU's `-netdev stream` unix socket (QEMU 7.2
 * "Network options"): QEMU listens, the daemon connects. Frames go both ways
 * with a 4-byte big-endian length in front, as QEMU's socket/stream netdevs
 * frame them. A stream carries many frames per read and per write, so a hop
 * costs far fewer system calls than a UDP datagram per frame.
 *
 * The connection is made again whenever it drops (QEMU restarted, the
 * daemon restarted); frames sent while it is down are counted and dropped.
 */
import { connect, type Socket } from "node:net";

/** How long to wait before connecting again, ms. */
const RETRY_MS = 100;

/** Bytes a VM may have unread before frames to it are dropped (it is not reading). */
const BACKLOG = 4 << 20;

/** Largest frame accepted from QEMU, bytes (its NET_BUFSIZE). */
const MAX_FRAME = 69_632;

/** A VM NIC on a daemon link: a unix stream socket QEMU listens on, reconnected whenever it breaks. */
export class StreamPort {
  private socket: Socket | undefined;
  private buf: Buffer = Buffer.alloc(0);
  private closed = false;
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param path - the unix socket QEMU listens on
   * @param onFrame - every frame the VM sends
   * @param count - counts trouble: `not-connected`, `not-reading` (frames
   *   dropped), `bad-length` (the stream was out of step and is reconnected)
   */
  constructor(
    readonly path: string,
    private readonly onFrame: (frame: Buffer) => void,
    private readonly count: (what: "not-connected" | "not-reading" | "bad-length") => void = () =>
      undefined,
  ) {
    this.connect();
  }

  get connected(): boolean {
    return this.socket !== undefined;
  }

  /**
   * Resolves once connected.
   * @throws {Error} after `timeoutMs` without a connection
   */
  async whenConnected(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.connected) {
      if (Date.now() > deadline) throw new Error(`nothing listens on ${this.path}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Hands a frame to the VM. */
  send(frame: Buffer): void {
    const s = this.socket;
    if (!s || s.writableLength > BACKLOG) {
      this.count(s ? "not-reading" : "not-connected");
      return;
    }
    // The frames handed on from one read (a stream chunk carries many) go out in one
    // writev, right after that read's callback: batching without waiting a loop turn.
    if (!s.writableCorked) {
      s.cork();
      process.nextTick(() => s.uncork());
    }
    const head = Buffer.allocUnsafe(4);
    head.writeUInt32BE(frame.length, 0);
    s.write(head);
    s.write(frame);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.socket?.destroy();
  }

  private connect(): void {
    if (this.closed) return;
    const s = connect(this.path);
    s.setNoDelay?.(true);
    s.once("connect", () => {
      this.socket = s;
      this.buf = Buffer.alloc(0);
    });
    s.on("data", (d: Buffer) => this.read(d));
    s.on("error", () => undefined);
    s.once("close", () => {
      if (this.socket === s) this.socket = undefined;
      if (!this.closed) this.timer = setTimeout(() => this.connect(), RETRY_MS);
    });
  }

  private read(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    let off = 0;
    while (this.buf.length - off >= 4) {
      const len = this.buf.readUInt32BE(off);
      if (len > MAX_FRAME) {
        // Out of step: nothing after this can be trusted; start over.
        this.count("bad-length");
        this.socket?.destroy();
        this.buf = Buffer.alloc(0);
        return;
      }
      if (this.buf.length - off - 4 < len) break;
      this.onFrame(this.buf.subarray(off + 4, off + 4 + len));
      off += 4 + len;
    }
    this.buf = off === 0 ? this.buf : this.buf.subarray(off);
  }
}
