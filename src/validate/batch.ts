/**
 * One node's pings as one command: a `sh` script run in the node (its
 * namespace, or its VM through the agent) that pings each target, a few
 * at a time, and prints one block per test. One process start per node
 * instead of one per ping, which is what makes a 100-node LAN's 9,900
 * neighbour pings take seconds.
 */
import { shellQuote } from "../shell.js";
import type { ValidationTest } from "./tests.js";

/** Pings a node runs at once. */
export const PINGS_PER_NODE = 8;

/** What one ping test gave. */
export interface PingOutcome {
  /** ping's exit code (0: a reply came; 1: none; 2: an error). */
  readonly exitCode: number;
  /** What it printed (stdout and stderr). */
  readonly output: string;
}

/**
 * iputils ping: numeric, quiet, `count` probes 0.2 s apart, 1 s to wait
 * for a reply (ping(8)).
 */
export function pingArgv(family: "ipv4" | "ipv6", count: number, target: string): string[] {
  const f = family === "ipv6" ? "-6" : "-4";
  return ["ping", f, "-n", "-q", "-c", String(count), "-i", "0.2", "-W", "1", target];
}

/**
 * The script. A test expected to succeed is tried up to `attempts` times
 * (one probe each); one expected to fail gets two probes, so that a lost
 * first packet (ARP) cannot make a reachable target look unreachable. Each
 * test prints `@@ INDEX EXIT`, ping's output and `@@.` in one write (under
 * PIPE_BUF), so the blocks of pings running at once never interleave.
 */
export function pingScript(tests: readonly ValidationTest[], attempts: number): string {
  const lines = [
    // p INDEX TRIES ARGV…: run ARGV until it succeeds or TRIES are used.
    'p() { i=$1; n=$2; shift 2; k=0; while :; do out=$("$@" 2>&1); c=$?; k=$((k+1)); if [ "$c" -eq 0 ] || [ "$k" -ge "$n" ]; then break; fi; done; printf "@@ %s %s\\n%s\\n@@.\\n" "$i" "$c" "$out"; }',
  ];
  tests.forEach((t, i) => {
    const fail = t.expect === "fail";
    const argv = pingArgv(t.family, fail ? 2 : 1, t.target);
    lines.push(`p ${i} ${fail ? 1 : attempts} ${argv.map(shellQuote).join(" ")} &`);
    if ((i + 1) % PINGS_PER_NODE === 0) lines.push("wait");
  });
  lines.push("wait");
  return lines.join("\n");
}

/**
 * Reads the script's output.
 *
 * @returns an outcome per test, by index; a test without a block is missing
 */
export function parsePingOutput(stdout: string): Map<number, PingOutcome> {
  const out = new Map<number, PingOutcome>();
  for (const m of stdout.matchAll(/^@@ (\d+) (\d+)\n([\s\S]*?)^@@\.$/gm)) {
    out.set(Number(m[1]), { exitCode: Number(m[2]), output: (m[3] ?? "").trimEnd() });
  }
  return out;
}
