/**
 * Ctrl-C, SIGTERM and a closed terminal (SIGHUP) during a command that
 * builds: the first asks every step to stop and undo what it did; a second
 * leaves at once, dying of the signal as without a handler.
 */
import { setMaxListeners } from "node:events";
import type { CliIO } from "./io.js";

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Runs `work` with the signals above turned into an abort of its signal.
 *
 * @param io - where the notices go (stderr)
 * @param words - what the first signal does ("stopping and removing what was built") and what to do after a second ("\"wirelab down FILE\" removes what is left")
 * @returns what `work` returns
 */
export async function interruptible<T>(
  io: CliIO,
  words: { readonly stopping: string; readonly afterwards: string },
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const abort = new AbortController();
  // Every command a step runs listens to it: a lab of many nodes runs more than 10 at once.
  setMaxListeners(0, abort.signal);
  const onSignal = (sig: NodeJS.Signals) => {
    if (abort.signal.aborted) {
      io.err(`wirelab: ${sig} again: leaving now; ${words.afterwards}\n`);
      for (const s of SIGNALS) process.off(s, onSignal);
      process.kill(process.pid, sig);
      return;
    }
    io.err(`wirelab: ${sig}: ${words.stopping} (again to leave at once)\n`);
    abort.abort();
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  try {
    return await work(abort.signal);
  } finally {
    for (const s of SIGNALS) process.off(s, onSignal);
  }
}
