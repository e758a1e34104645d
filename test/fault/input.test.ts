/**
 * Findings 12-14: whatever a user gives wirelab (a folder, a device, a YAML
 * alias bomb, control bytes, a bad option value, a folder it cannot write),
 * it answers with a clear message and the right exit code, never an
 * internal error, and builds nothing. And the exit codes of `exec` are a
 * shell's.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliSync, labFile, stateDir } from "../integration/lab-helpers.js";
import { census, crashed, down, NOTHING, printTable, Tally } from "./helpers.js";

const tallies: Tally[] = [];
afterAll(() => printTable(tallies));

/** Runs the CLI with a time limit (a hang fails the test instead of stalling it). */
function bounded(
  args: readonly string[],
  asUser = false,
  env: Record<string, string> = {},
): { code: number | null; out: string; err: string } {
  const node = [process.execPath, "dist/cli/bin.js", ...args];
  const argv = asUser
    ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", ...node]
    : node;
  const r = spawnSync(argv[0] as string, argv.slice(1), {
    encoding: "utf8",
    env: { ...process.env, WIRELAB_STATE_DIR: stateDir(), ...env },
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const scratch = (name: string) => {
  const dir = join(stateDir(), "input");
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
};

describe("topology files that are not what they should be", () => {
  const tally = new Tally("odd topology files and values");
  tallies.push(tally);
  const refused = (args: string[], message: RegExp) => {
    const r = bounded(args);
    const ok = r.code === 2 && message.test(r.err) && !crashed({ code: r.code, stderr: r.err });
    tally.add(ok, false);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(message);
    expect(crashed({ code: r.code, stderr: r.err }), r.err).toBe(false);
  };

  it("a folder, a device, a missing file: exit 2, named", () => {
    const dir = scratch("a-folder.yml");
    mkdirSync(dir, { recursive: true });
    refused(["plan", dir], /a-folder\.yml: is a folder, not a topology file/);
    refused(["up", dir], /is a folder/);
    refused(["plan", "/dev/zero"], /\/dev\/zero: is not a regular file/);
    refused(["plan", scratch("nope.yml")], /nope\.yml: no such file/);
  });

  it("a YAML alias bomb is a located error, not minutes of CPU", () => {
    const lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++)
      lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(",")}]`);
    const file = scratch("bomb.yml");
    writeFileSync(file, `${lines.join("\n")}\nnodes: { n1: {} }\n`);
    refused(["plan", file], /bomb\.yml:\d+:\d+: .*alias/i);
  });

  it("control bytes in a file are shown escaped, never sent to the terminal", () => {
    const file = scratch("control.yml");
    writeFileSync(file, "nodes:\n  \x1b[31mred\x07: {}\n");
    const r = bounded(["plan", file]);
    tally.add(r.code === 2 && !r.err.includes("\x1b"), false);
    expect(r.code, r.err).toBe(2);
    expect(r.err).not.toContain("\x1b");
    expect(r.err).not.toContain("\x07");
    expect(r.err).toContain("\\x1b");
  });

  it("a memory that is not a whole number says so at its line", () => {
    const file = scratch("memory.yml");
    writeFileSync(file, "nodes:\n  v1: { kind: vm, memory: 96.5 }\n");
    refused(["plan", file], /memory\.yml:2:\d+: .*whole number/);
  });

  it("a bad WIRELAB_PORTS is refused before anything is built", () => {
    const { file, lab } = labFile("nodes:\n  n1: {}\n", "ports");
    const r = bounded(["up", file], false, { WIRELAB_PORTS: "abc" });
    const left = census(lab);
    tally.add(r.code === 1 && /WIRELAB_PORTS is "abc"/.test(r.err), false);
    expect(r.code, r.err).toBe(1);
    expect(r.err).toMatch(/WIRELAB_PORTS is "abc"; write LOW-HIGH/);
    expect(left).toEqual(NOTHING);
  });

  it("--json errors are JSON on stdout, with the diagnostics", () => {
    const r = bounded(["plan", "--json", scratch("nope.yml")]);
    const parsed = JSON.parse(r.out) as {
      error: { message: string; exitCode: number; diagnostics?: { code: string }[] };
    };
    tally.add(r.code === 2 && parsed.error.exitCode === 2, false);
    expect(r.code).toBe(2);
    expect(parsed.error.exitCode).toBe(2);
    expect(parsed.error.diagnostics?.[0]?.code).toBe("bad-file");
  });
});

describe("commands on a running namespace lab", () => {
  const tally = new Tally("exec codes, bad option values, unwritable folders, non-root");
  tallies.push(tally);
  let lab = "";
  let file = "";
  beforeAll(() => {
    ({ file, lab } = labFile("nodes:\n  n1: {}\n  n2: {}\nlinks:\n  - n1-n2\n", "input"));
    expect(cliSync(["up", file]).code).toBe(0);
  }, 60_000);
  afterAll(() => {
    down(lab);
    expect(census(lab)).toEqual(NOTHING);
  });

  const expectCode = (args: string[], code: number, message?: RegExp, asUser = false) => {
    const r = bounded(args, asUser);
    const ok =
      r.code === code &&
      (message ? message.test(r.err) : true) &&
      !crashed({ code: r.code, stderr: r.err });
    tally.add(ok, false);
    expect(r.code, r.err).toBe(code);
    if (message) expect(r.err).toMatch(message);
    expect(crashed({ code: r.code, stderr: r.err }), r.err).toBe(false);
  };

  it("exec gives the command's exit code, 128 + the signal's number when a signal ended it", () => {
    expectCode(["exec", "--lab", lab, "n1", "--", "sh", "-c", "exit 3"], 3);
    expectCode(["exec", "--lab", lab, "n1", "--", "sh", "-c", "kill -TERM $$"], 128 + 15);
  });

  it("exec takes --lab after the node name, and says what is wrong before --", () => {
    expectCode(["exec", "n1", "--lab", lab, "--", "true"], 0);
    expectCode(["exec", "n1", "--lab", lab, "--bogus", "--", "true"], 2, /--bogus/);
  });

  it("link impair with a bad value is a usage error and changes nothing", () => {
    expectCode(["link", "impair", "--lab", lab, "n1", "eth1", "--loss", "abc"], 2, /loss/);
  });

  it("create into a folder it cannot write ends at once with the reason", () => {
    expectCode(["create", file, "--output", "script", "-o", "/proc/wirelab"], 1, /cannot write/);
  });

  it("status and link show without root exit 77 and say why", () => {
    expectCode(["status"], 77, /root/, true);
    expectCode(["link", "show", "--lab", lab], 77, /root/, true);
    expectCode(["exec", "--lab", lab, "n1", "--", "true"], 77, /root/, true);
  });
});
