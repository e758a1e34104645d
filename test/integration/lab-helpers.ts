/**
 * Helpers for integration tests: copies of the examples under unique lab
 * names, the real CLI run as a child process, and kernel look-ups.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { StateStore } from "../../src/lab/state.js";

/** Lab names in tests start with this, and carry the test process id. */
export const TEST_PREFIX = `wlt${process.pid}`;

export const stateDir = (): string => inject("stateDir");
export const store = (): StateStore => new StateStore(stateDir());

const workDir = mkdtempSync(join(tmpdir(), "wirelab-topo-"));

/**
 * Writes a topology (an example file or YAML text) under a unique lab name.
 *
 * @returns the file path and lab name
 */
export function labFile(source: string, suffix: string): { file: string; lab: string } {
  const text = source.includes("\n") ? source : readFileSync(source, "utf8");
  const lab = `${TEST_PREFIX}-${suffix}`;
  const body = /^name:.*$/m.test(text)
    ? text.replace(/^name:.*$/m, `name: ${lab}`)
    : `name: ${lab}\n${text}`;
  const file = join(workDir, `${lab}.yml`);
  writeFileSync(file, body);
  return { file, lab };
}

/** Runs the built CLI; returns exit code and output. */
export function cli(
  args: readonly string[],
  env: Record<string, string> = {},
): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["dist/cli/bin.js", ...args], {
    encoding: "utf8",
    env: { ...process.env, WIRELAB_STATE_DIR: stateDir(), ...env },
  });
  return { code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
}

/** Namespaces on the host whose names start with `prefix`. */
export function namespaces(prefix: string): string[] {
  // stderr ignored: ip complains about a namespace file a killed `ip netns add` left unmounted.
  const out = execFileSync("ip", ["-json", "netns", "list"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  }).trim();
  if (!out) return [];
  return (JSON.parse(out) as { name: string }[])
    .map((n) => n.name)
    .filter((n) => n.startsWith(prefix))
    .sort();
}

/** Runs a command in a namespace; returns exit code and output. */
export function inNs(ns: string, argv: readonly string[]): { code: number; stdout: string } {
  const r = spawnSync("ip", ["netns", "exec", ns, ...argv], { encoding: "utf8" });
  return { code: r.status ?? 128, stdout: r.stdout };
}

/**
 * Starts `wirelab up FILE`, waits until at least `minNamespaces` of the lab's
 * namespaces exist, then sends `signal`.
 *
 * @returns the CLI's exit code (null when killed by the signal) and stderr
 */
export async function interruptUp(
  file: string,
  lab: string,
  signal: NodeJS.Signals,
  minNamespaces = 1,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ["dist/cli/bin.js", "up", file], {
    env: { ...process.env, WIRELAB_STATE_DIR: stateDir() },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  const deadline = Date.now() + 10_000;
  while (namespaces(`wl-${lab}`).length < minNamespaces && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 2));
  }
  child.kill(signal);
  return { code: await exited, stderr };
}
