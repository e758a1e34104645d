/**
 * Finding 4: `wirelab capture` ends right after any error, with the right
 * exit code (1 for a failure, 2 for bad usage, 77 without root), and leaves
 * no tcpdump behind.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliSync, labFile, stateDir } from "../integration/lab-helpers.js";
import { crashed, down, printTable, RUNS, Tally } from "./helpers.js";

/** An error must end the command within this many ms. */
const WITHIN_MS = 2_000;

const tallies: Tally[] = [];
afterAll(() => printTable(tallies));

function tcpdumps(): Set<number> {
  const pids = new Set<number>();
  for (const p of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0")[0]?.endsWith("tcpdump"))
        pids.add(Number(p));
    } catch {
      // gone
    }
  }
  return pids;
}

/** Runs the CLI (as `nobody` when `asUser`), killed after 10 s; its exit code, stderr and run time. */
function run(
  args: readonly string[],
  asUser = false,
): Promise<{ code: number | null; stderr: string; ms: number }> {
  const node = [process.execPath, "dist/cli/bin.js", ...args];
  const argv = asUser
    ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", ...node]
    : node;
  const started = Date.now();
  const child = spawn(argv[0] as string, argv.slice(1), {
    env: { ...process.env, WIRELAB_STATE_DIR: stateDir() },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  return new Promise((resolve) =>
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, ms: Date.now() - started });
    }),
  );
}

describe("capture errors", () => {
  let lab: string;
  beforeAll(() => {
    const f = labFile(
      `
nodes:
  n1: {}
  n2: {}
  v1: { kind: vm }
links: [n1-n2, n1-v1, { n2: {}, v1: {}, relay: true }]
`,
      "caperr",
    );
    lab = f.lab;
    const r = cliSync(["up", f.file]);
    if (r.code !== 0) throw new Error(r.stderr);
  });
  afterAll(() => {
    down(lab);
  });

  const cases: [string, (lab: string) => string[], number, RegExp, boolean?][] = [
    ["an unknown node", (l) => ["--lab", l, "nX", "eth1"], 1, /has no node "nX"/],
    ["an unknown interface", (l) => ["--lab", l, "n1", "eth9"], 1, /has no interface "eth9"/],
    ["an unknown link", (l) => ["--lab", l, "--link", "nope"], 1, /has no link "nope"/],
    ["a bad filter (namespace)", (l) => ["--lab", l, "n1", "eth1", "not", "(("], 1, /filter/],
    ["a bad filter (tap)", (l) => ["--lab", l, "v1", "eth1", "not", "(("], 1, /filter/],
    ["a bad filter (daemon)", (l) => ["--lab", l, "n2", "eth2", "not", "(("], 1, /filter/],
    ["a lab that is not up", () => ["--lab", "wlt-no-such-lab", "n1", "eth1"], 1, /is not up/],
    ["no root", (l) => ["--lab", l, "n1", "eth1"], 77, /needs root/, true],
    [
      "-w in a missing folder",
      (l) => ["--lab", l, "n1", "eth1", "-w", "/nonexistent/x"],
      1,
      /cannot write/,
    ],
    ["-w a folder", (l) => ["--lab", l, "n1", "eth1", "-w", "/tmp"], 1, /is a folder/],
    ["-c abc", (l) => ["--lab", l, "n1", "eth1", "-c", "abc"], 2, /whole number/],
    ["-c -5", (l) => ["--lab", l, "n1", "eth1", "-c", "-5"], 2, /whole number/],
    ["-c 0", (l) => ["--lab", l, "n1", "eth1", "-c", "0"], 2, /whole number/],
  ];
  for (const [what, args, code, message, asUser] of cases) {
    it(`${what}: exit ${code} within ${WITHIN_MS} ms, no tcpdump left`, async () => {
      const tally = new Tally(`capture with ${what}`);
      tallies.push(tally);
      for (let k = 0; k < RUNS; k++) {
        const before = tcpdumps();
        const r = await run(["capture", ...args(lab)], asUser);
        const left = [...tcpdumps()].filter((p) => !before.has(p));
        const ok =
          r.code === code &&
          r.ms < WITHIN_MS &&
          message.test(r.stderr) &&
          !crashed(r) &&
          !left.length;
        tally.add(ok, left.length > 0);
        expect(r.code, r.stderr).toBe(code);
        expect(r.stderr).toMatch(message);
        expect(crashed(r), r.stderr).toBe(false);
        expect(r.ms, "ended soon after the error").toBeLessThan(WITHIN_MS);
        expect(left, "no tcpdump left running").toEqual([]);
      }
    });
  }
});
