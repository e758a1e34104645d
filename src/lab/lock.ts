/**
 * A lab's lock: flock(2) on `<stateDir>/locks/<lab>.lock`, taken and held by
 * util-linux's `flock` (a child of this process, which dies with it) until
 * released. The kernel drops the lock when its holder ends, however it ends:
 * no lock is ever stale, none can be taken over, and a PID of someone else's
 * cannot hold one. The holder's PID is written next to it for messages only.
 */
import { readFile, rm, writeFile } from "node:fs/promises";
import type { Writable } from "node:stream";
import { LabError } from "../errors.js";
import { type ProcessStarter, startProcess } from "../process.js";

/** flock's exit code when the lock is held (`--conflict-exit-code`). */
const BUSY = 75;

/** How long taking a free lock may take, in ms. */
const LOCK_TIMEOUT_MS = 10_000;

/**
 * @param path - the lock file (created if missing, never removed)
 * @param lab - for messages
 * @returns a function that releases the lock
 * @throws {LabError} when another process holds it
 */
export async function takeLock(
  path: string,
  lab: string,
  start: ProcessStarter = startProcess,
): Promise<() => Promise<void>> {
  // -o: only flock holds the lock, not the command, which just waits for its input to end.
  const holder = start(
    [
      "flock",
      "--nonblock",
      "--close",
      "--conflict-exit-code",
      String(BUSY),
      path,
      "sh",
      "-c",
      "echo locked; exec cat >/dev/null",
    ],
    { input: "pipe", readyWhen: { stdout: /locked/ }, readyTimeoutMs: LOCK_TIMEOUT_MS },
  );
  try {
    await holder.ready;
  } catch (e) {
    const exit = await holder.done;
    if (exit.code !== BUSY)
      throw new LabError(`could not lock lab "${lab}" (${path}): ${(e as Error).message}`);
    const pid = Number.parseInt(await readFile(`${path}.pid`, "utf8").catch(() => ""), 10);
    throw new LabError(
      `lab "${lab}" is busy: ${Number.isInteger(pid) ? `process ${pid}` : "another wirelab"} is changing it; wait for it to finish`,
    );
  }
  await writeFile(`${path}.pid`, `${process.pid}\n`).catch(() => undefined);
  return async () => {
    await rm(`${path}.pid`, { force: true }).catch(() => undefined);
    (holder.stdin as Writable).end();
    await holder.done;
  };
}
