/**
 * The fault campaign's tools: the real CLI started and interrupted at a
 * given moment, a census of everything a lab can leave on the host, and a
 * tally printed as a table row when a test file ends.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  cliSync,
  leftovers,
  NOTHING_LEFT,
  startCli,
  stateDir,
} from "../integration/lab-helpers.js";

/** How many times each fault is repeated: `FAULT_RUNS` (default 1). */
export const RUNS = Math.max(1, Number(process.env.FAULT_RUNS ?? 1));

/** What a lab left: processes, host devices, namespaces, and whether its record is there. */
export function census(lab: string): ReturnType<typeof leftovers> & { record: boolean } {
  return {
    ...leftovers(lab),
    record: existsSync(join(stateDir(), "labs", lab, "state.json")),
  };
}

/** Whether a census found nothing at all. */
export function clean(c: ReturnType<typeof census>): boolean {
  return (
    !c.record &&
    c.qemu.length === 0 &&
    c.wire.length === 0 &&
    c.frr.length === 0 &&
    c.mounts.length === 0 &&
    c.hostDevices.length === 0 &&
    c.namespaces.length === 0
  );
}

/**
 * Runs `wirelab ARGS…`, sends `signal` after `delayMs`, and waits for it to end.
 *
 * @returns its exit code (null when the signal killed it), stderr, and how long it took to end after the signal, in ms
 */
export async function interrupted(
  args: readonly string[],
  delayMs: number,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; stderr: string; endedAfterMs: number; signalled: boolean }> {
  const { child, stderr, exit } = startCli(args);
  let exited = false;
  void exit.then(() => {
    exited = true;
  });
  await Promise.race([exit, new Promise((r) => setTimeout(r, delayMs))]);
  const signalled = !exited;
  const sent = Date.now();
  if (signalled) child.kill(signal);
  const code = await exit;
  return { code, stderr: stderr(), endedAfterMs: Date.now() - sent, signalled };
}

/** Counts of one fault's runs, printed as a row of the campaign's table. */
export class Tally {
  runs = 0;
  passed = 0;
  leaks = 0;
  constructor(readonly fault: string) {}
  /** Records one run. */
  add(passed: boolean, leaked: boolean): void {
    this.runs++;
    if (passed) this.passed++;
    if (leaked) this.leaks++;
  }
  /** `| fault | runs | passed | leaks |` */
  row(): string {
    return `| ${this.fault} | ${this.runs} | ${this.passed} | ${this.leaks} |`;
  }
}

/** A census of a lab that left nothing. */
export const NOTHING = { ...NOTHING_LEFT, record: false };

/** Whether a command's stderr shows an internal error (a stack trace): always a bug. */
export function crashed(r: { code: number | null; stderr: string }): boolean {
  return r.code === 70 || /internal error|\n\s+at /.test(r.stderr);
}

/** Prints the tallies as the campaign's table (call in afterAll). */
export function printTable(tallies: readonly Tally[]): void {
  console.log(
    [
      "| fault | runs | passed | leaks |",
      "|---|---:|---:|---:|",
      ...tallies.map((t) => t.row()),
    ].join("\n"),
  );
}

/** Takes a lab down with the CLI (whatever is left of it). */
export function down(lab: string): ReturnType<typeof cliSync> {
  return cliSync(["down", "--lab", lab]);
}
