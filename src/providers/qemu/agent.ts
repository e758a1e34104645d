/**
 * Host side of the guest's command channel (`guest/agent`): a line protocol
 * over QEMU's virtio-serial port, reached through the unix socket of its
 * `-chardev socket,server=on`.
 *
 *   host → guest  `PING <id>`                  guest → host  `PONG <id>`
 *   host → guest  `RUN <id> <base64 script>`   guest → host  `RES <id> <code> <base64 out> <base64 err>`
 *
 * Commands run concurrently in the guest; replies come back by id.
 */
import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";
import { WirelabError } from "../../errors.js";
import { shellQuote } from "../../shell.js";

/** How long one try of a booting guest may wait for PONG, in ms. */
const PING_TRY_MS = 1000;

/** Pause between connection tries while a VM boots, in ms. */
const RETRY_PAUSE_MS = 100;

/** How long a command may run in the guest unless told otherwise, in ms. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;

/** Output of a command run in a VM. */
export interface AgentResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The guest did not answer in time, or the channel broke. */
export class AgentError extends WirelabError {
  override name = "AgentError";
}

/**
 * A shell script that runs `argv` as an exec would: arguments single-quoted,
 * the program looked up by the guest's `wl-exec` (real binaries before
 * busybox applets).
 */
export function commandScript(argv: readonly string[]): string {
  return `exec /bin/wl-exec ${argv.map(shellQuote).join(" ")}\n`;
}

/**
 * Request ids are unique in this process and across processes (a random
 * prefix): the guest answers every request it read, also those of a
 * connection that gave up (a PING sent while the guest booted is answered
 * once its agent runs), and such a late reply reaches whoever is connected
 * then.
 */
const ID_PREFIX = randomBytes(4).toString("hex");
let nextId = 1;

/** The reply verb of each request verb. */
const REPLY: Readonly<Record<string, string>> = { PING: "PONG", RUN: "RES" };

/** One connection to a VM's agent. */
export class AgentClient {
  private buffer = "";
  private readonly waiting = new Map<string, (fields: string[]) => void>();
  private closed?: Error;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => this.onData(chunk));
    const fail = (e?: Error) => {
      this.closed = e ?? new AgentError("the VM's command channel closed");
      for (const resolve of this.waiting.values()) resolve([]);
      this.waiting.clear();
    };
    socket.on("error", fail);
    socket.on("close", () => fail());
  }

  /**
   * Connects to the agent's socket.
   *
   * @param path - unix socket of the VM's `wirelab.cmd` chardev
   * @throws {Error} (ENOENT, ECONNREFUSED) when QEMU is not listening
   */
  static connect(path: string): Promise<AgentClient> {
    return new Promise((resolve, reject) => {
      const s = connect(path);
      s.once("connect", () => resolve(new AgentClient(s)));
      s.once("error", reject);
    });
  }

  /**
   * Waits until the guest's agent answers, retrying the connection while the
   * VM boots.
   *
   * @param timeoutMs - give up after this many ms
   * @param signal - stops the tries when aborted (its reason is thrown)
   * @throws {AgentError} on time-out
   */
  static async waitReady(
    path: string,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<AgentClient> {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < deadline) {
      signal?.throwIfAborted();
      let client: AgentClient | undefined;
      try {
        client = await AgentClient.connect(path);
        if (await client.ping(Math.min(PING_TRY_MS, Math.max(1, deadline - Date.now()))))
          return client;
        client.close();
      } catch (e) {
        client?.close();
        last = (e as Error).message;
        await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
      }
    }
    throw new AgentError(
      `the VM did not answer on ${path} within ${Math.round(timeoutMs / 1000)} s${last ? ` (${last})` : ""}`,
    );
  }

  /**
   * @param timeoutMs - how long to wait for PONG
   * @returns whether the agent answered
   */
  async ping(timeoutMs: number): Promise<boolean> {
    const fields = await this.request("PING", undefined, timeoutMs).catch(() => undefined);
    return fields !== undefined && fields[0] === "PONG";
  }

  /**
   * Runs a program in the guest and returns its exit code and output.
   *
   * @param argv - program and arguments (no shell)
   * @param timeoutMs - give up after this many ms @default DEFAULT_COMMAND_TIMEOUT_MS
   * @throws {AgentError} on time-out or a broken channel
   */
  run(argv: readonly string[], timeoutMs = DEFAULT_COMMAND_TIMEOUT_MS): Promise<AgentResult> {
    return this.runScript(commandScript(argv), timeoutMs);
  }

  /**
   * Runs a script with the guest's own shell (busybox's `sh`: its applets
   * come before programs of the same name, so call those by path). Cheaper
   * than {@link run} of `sh -c`, which starts `wl-exec` and a second shell.
   *
   * @param timeoutMs - give up after this many ms @default DEFAULT_COMMAND_TIMEOUT_MS
   * @throws {AgentError} on time-out or a broken channel
   */
  async runScript(script: string, timeoutMs = DEFAULT_COMMAND_TIMEOUT_MS): Promise<AgentResult> {
    const fields = await this.request("RUN", Buffer.from(script).toString("base64"), timeoutMs);
    return {
      exitCode: Number(fields[2]),
      stdout: Buffer.from(fields[3] ?? "", "base64").toString(),
      stderr: Buffer.from(fields[4] ?? "", "base64").toString(),
    };
  }

  close(): void {
    this.socket.destroy();
  }

  private request(verb: string, arg: string | undefined, timeoutMs: number): Promise<string[]> {
    if (this.closed) return Promise.reject(this.closed);
    const id = `${ID_PREFIX}-${nextId++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(
          new AgentError(
            `the VM did not answer "${verb}" within ${Math.round(timeoutMs / 1000)} s`,
          ),
        );
      }, timeoutMs);
      this.waiting.set(id, (fields) => {
        clearTimeout(timer);
        if (fields.length === 0)
          reject(this.closed ?? new AgentError("the VM's command channel closed"));
        else if (fields[0] !== REPLY[verb])
          reject(new AgentError(`unexpected reply from the VM: ${fields.join(" ").slice(0, 80)}`));
        else resolve(fields);
      });
      this.socket.write(`${verb} ${id}${arg !== undefined ? ` ${arg}` : ""}\n`);
    });
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    for (let i = this.buffer.indexOf("\n"); i >= 0; i = this.buffer.indexOf("\n")) {
      const line = this.buffer.slice(0, i).replace(/\r$/, "");
      this.buffer = this.buffer.slice(i + 1);
      const fields = line.split(" ");
      const resolve = fields[1] !== undefined ? this.waiting.get(fields[1]) : undefined;
      if (resolve && fields[1] !== undefined) {
        this.waiting.delete(fields[1]);
        resolve(fields);
      }
    }
  }
}
