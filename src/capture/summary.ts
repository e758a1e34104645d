/**
 * One-line summaries of captured frames, as `tcpdump -n -e` prints them:
 * a tcpdump that reads the capture's pcapng on its stdin and prints to this
 * process's stdout.
 */
import type { Writable } from "node:stream";
import { type ProcessStarter, startProcess } from "../process.js";

/** A running summary printer. */
export interface SummaryPrinter {
  /** Where to write pcapng. */
  readonly input: Writable;
  /** Resolves when it has printed everything (after `input` ends). */
  readonly done: Promise<void>;
}

/** @param start - the process starter @default startProcess */
export function startSummary(start: ProcessStarter = startProcess): SummaryPrinter {
  const handle = start(["tcpdump", "-n", "-e", "-l", "-r", "-"], {
    input: "pipe",
    output: "inherit",
    stderr: "ignore",
  });
  const input = handle.stdin as Writable;
  // It may end first (a reader that went away): what is left is dropped.
  input.on("error", () => undefined);
  return { input, done: handle.done.then(() => undefined) };
}
