/**
 * A minimal QMP client (QEMU Machine Protocol, QEMU docs "QMP
 * Specification"): connect to the VM's `-qmp unix:…` socket, read the
 * greeting, negotiate capabilities, run commands one at a time.
 */
import { connect, type Socket } from "node:net";
import { LabError } from "../../errors.js";

/** How long QEMU may take to answer, in ms. */
export const QMP_TIMEOUT_MS = 5000;

/**
 * Runs QMP commands on one VM, in order.
 *
 * @param commands - `{ execute, arguments? }` each
 * @throws {LabError} when the socket cannot be reached or QEMU answers an error
 */
export async function qmp(
  socketPath: string,
  commands: readonly { execute: string; arguments?: object }[],
  timeoutMs = QMP_TIMEOUT_MS,
): Promise<unknown[]> {
  const socket: Socket = connect(socketPath);
  let buf = "";
  const lines: ((msg: Record<string, unknown>) => void)[] = [];
  const pending: Record<string, unknown>[] = [];
  // A deadline for the whole exchange, not an idle time: events keep a socket busy.
  let timer: NodeJS.Timeout | undefined;
  const failed = new Promise<never>((_, reject) => {
    socket.once("error", (e) => reject(new LabError(`QMP ${socketPath}: ${e.message}`)));
    // QEMU exiting (a failed load) may close the connection without an error: that ends the wait too.
    socket.once("close", () =>
      reject(new LabError(`QMP ${socketPath}: QEMU closed the connection`)),
    );
    timer = setTimeout(
      () => reject(new LabError(`QMP ${socketPath}: no answer in ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  failed.catch(() => undefined);
  socket.on("data", (d) => {
    buf += d.toString();
    for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
      const msg = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
      buf = buf.slice(nl + 1);
      // Events (e.g. NIC_RX_FILTER_CHANGED) come in between: only greetings and replies count.
      if ("event" in msg) continue;
      const next = lines.shift();
      if (next) next(msg);
      else pending.push(msg);
    }
  });
  const read = () =>
    Promise.race([
      failed,
      new Promise<Record<string, unknown>>((resolve) => {
        const m = pending.shift();
        if (m) resolve(m);
        else lines.push(resolve);
      }),
    ]);
  try {
    await read(); // greeting
    const results: unknown[] = [];
    for (const c of [{ execute: "qmp_capabilities" }, ...commands]) {
      socket.write(`${JSON.stringify(c)}\n`);
      const r = await read();
      if ("error" in r) {
        const e = r.error as { desc?: string };
        throw new LabError(`QMP ${c.execute}: ${e.desc ?? JSON.stringify(e)}`);
      }
      results.push(r.return);
    }
    return results.slice(1);
  } finally {
    clearTimeout(timer);
    socket.destroy();
  }
}
