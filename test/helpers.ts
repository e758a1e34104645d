import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { type Diagnostic, TopologyError } from "../src/errors.js";
import { planText } from "../src/plan/load-plan.js";
import type { LabPlan } from "../src/plan/types.js";

/** Plans YAML text; fails the test with the diagnostics if it is invalid. */
export function plan(yaml: string): LabPlan {
  try {
    return planText(yaml, "t.yml").plan;
  } catch (e) {
    if (e instanceof TopologyError) throw new Error(e.message);
    throw e;
  }
}

/** The diagnostics YAML text produces (empty when it is valid). */
export function problems(yaml: string): Diagnostic[] {
  try {
    planText(yaml, "t.yml");
    return [];
  } catch (e) {
    if (e instanceof TopologyError) return [...e.diagnostics];
    throw e;
  }
}

/** `code@line:col` of each diagnostic, for compact assertions. */
export function where(yaml: string): string[] {
  return problems(yaml).map((d) => `${d.code}@${d.line}:${d.col}`);
}

/**
 * Fields tshark decodes from a capture, one line per frame, tab-separated.
 * A buffer goes through a real pipe as a shell gives it: tshark refuses to
 * read a socket, which is what Node passes as a child's stdin.
 *
 * @param source - a pcap/pcapng file path, or the capture's bytes
 * @param fields - tshark field names, e.g. `frame.interface_name`
 */
export function tsharkFields(source: string | Buffer, fields: readonly string[]): string[] {
  const args = [
    "-r",
    typeof source === "string" ? source : "-",
    "-T",
    "fields",
    ...fields.flatMap((f) => ["-e", f]),
  ];
  const [file, argv] =
    typeof source === "string"
      ? ["tshark", args]
      : ["sh", ["-c", 'cat | exec tshark "$@"', "sh", ...args]];
  return execFileSync(file, argv, {
    ...(typeof source === "string" ? {} : { input: source }),
    encoding: "utf8",
    stdio: ["pipe", "pipe", "ignore"],
  })
    .trim()
    .split("\n");
}

/** The plan of a topology file (an example), read from disk. */
export function planOfFile(file: string): LabPlan {
  return planText(readFileSync(file, "utf8"), file).plan;
}

/**
 * Waits until `condition` holds, trying every `intervalMs`; fails the test
 * with `what` when it still does not after `timeoutMs`.
 *
 * @returns the condition's last truthy value
 */
export async function waitFor<T>(
  what: string,
  condition: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await condition();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
