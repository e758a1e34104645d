/**
 * Client of the wire daemon's control socket (protocol in `control.ts`).
 */
import { connect, type Socket } from "node:net";
import { WirelabError } from "../errors.js";
import type { Impairment } from "../impairment.js";
import type { PortStats, WireMode } from "./segment.js";

/** What `show` returns. */
export interface WireShow {
  readonly pid: number;
  readonly errors: Record<string, number>;
  readonly captureDropped: number;
  readonly links: readonly {
    readonly name: string;
    readonly mode: WireMode;
    readonly ports: readonly {
      readonly name: string;
      readonly up: boolean;
      readonly impair: Impairment;
      /** Frames its impairments still hold back. */
      readonly queued: number;
      readonly stats: PortStats;
    }[];
  }[];
}

/** A connection to the daemon's control socket; one request at a time, or one capture stream. */
export class WireClient {
  private buf = Buffer.alloc(0);
  private waiting: ((line: string) => void)[] = [];

  private constructor(readonly socket: Socket) {
    socket.on("data", (d: Buffer) => {
      if (this.waiting.length === 0) return;
      this.buf = Buffer.concat([this.buf, d]);
      for (
        let nl = this.buf.indexOf(10);
        nl >= 0 && this.waiting.length;
        nl = this.buf.indexOf(10)
      ) {
        const line = this.buf.subarray(0, nl).toString();
        this.buf = this.buf.subarray(nl + 1);
        this.waiting.shift()?.(line);
      }
    });
  }

  /** @throws {Error} when nothing listens on `path` */
  static connect(path: string): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const s = connect(path);
      s.once("error", reject);
      s.once("connect", () => {
        s.off("error", reject);
        s.on("error", () => undefined);
        resolve(new WireClient(s));
      });
    });
  }

  /** Counters, impairments and state of every port. */
  async show(): Promise<WireShow> {
    return (await this.request({ op: "show" })) as unknown as WireShow;
  }

  /**
   * @returns why the change could not be saved (it applies until the daemon restarts), or undefined
   * @throws {WirelabError} for an unknown link or port
   */
  async impair(link: string, port: string, impair: Impairment): Promise<string | undefined> {
    return notSaved(await this.request({ op: "impair", link, port, impair }));
  }

  /**
   * @returns why the change could not be saved (it applies until the daemon restarts), or undefined
   * @throws {WirelabError} for an unknown link or port
   */
  async setLink(link: string, port: string, up: boolean): Promise<string | undefined> {
    return notSaved(await this.request({ op: "set-link", link, port, up }));
  }

  /**
   * Has the daemon read its configuration file again: new links start,
   * gone ones stop, kept ones are not touched.
   *
   * @throws {WirelabError} when a new port cannot be bound
   */
  async reload(): Promise<{ started: string[]; stopped: string[] }> {
    const r = await this.request({ op: "reload" });
    return { started: r.started as string[], stopped: r.stopped as string[] };
  }

  /**
   * Turns this connection into a capture stream of `link` (one port, or
   * the whole link). Bytes after the reply are capture records, passed to
   * `onData` as they come (see `control.ts` for the record format).
   *
   * @returns the link's port names, by index
   */
  async capture(
    link: string,
    port: string | undefined,
    onData: (d: Buffer) => void,
  ): Promise<string[]> {
    const reply = await this.request({ op: "capture", link, ...(port ? { port } : {}) });
    const rest = this.buf;
    this.buf = Buffer.alloc(0);
    this.socket.on("data", onData);
    if (rest.length) onData(rest);
    return reply.ports as string[];
  }

  close(): void {
    this.socket.destroy();
  }

  private request(req: object): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      this.socket.once("close", () =>
        reject(new WirelabError("the wire daemon closed the connection")),
      );
      this.waiting.push((line) => {
        const r = JSON.parse(line) as Record<string, unknown>;
        if (r.ok) resolve(r);
        else reject(new WirelabError(String(r.error)));
      });
      this.socket.write(`${JSON.stringify(req)}\n`);
    });
  }
}

function notSaved(reply: Record<string, unknown>): string | undefined {
  return typeof reply.notSaved === "string" ? reply.notSaved : undefined;
}
