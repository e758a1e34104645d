/**
 * Finding 6: the lab lock under races. An `up` killed with SIGKILL leaves
 * its lock file, its PID file and a half-built lab; eight `up`s started at
 * once then must let exactly one change the lab at a time: each either
 * builds it, finds it built, or is told the lab is busy, and the lab ends
 * whole.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { inNs, labFile, startCli, stateDir } from "../integration/lab-helpers.js";
import {
  census,
  clean,
  crashed,
  down,
  interrupted,
  NOTHING,
  printTable,
  RUNS,
  Tally,
} from "./helpers.js";

const TOPOLOGY = `
nodes: [n1, n2, n3]
links: [n1-n2, n2-n3, { n1: {}, n3: {}, relay: true }]
`;

/** Rounds per FAULT_RUNS: 100 rounds with FAULT_RUNS=5. */
const ROUNDS = 20 * RUNS;
const TAKERS = 8;

const tallies: Tally[] = [];
afterAll(() => printTable(tallies));

/** Runs `wirelab up FILE`; resolves with its exit code and stderr. */
async function up(file: string): Promise<{ code: number | null; stderr: string }> {
  const { stderr, exit } = startCli(["up", file]);
  const code = await exit;
  return { code, stderr: stderr() };
}

describe("the lab lock", () => {
  it(`${TAKERS} concurrent ups over a stale lock, ${ROUNDS} rounds: one at a time, the lab whole`, async () => {
    const tally = new Tally(`${TAKERS} concurrent ups over a stale lock`);
    tallies.push(tally);
    const { file, lab } = labFile(TOPOLOGY, "lockrace");
    try {
      for (let round = 0; round < ROUNDS; round++) {
        // A stale lock: an up killed at some moment, its PID file naming a live unrelated process.
        await interrupted(["up", file], (round * 37) % 400, "SIGKILL");
        mkdirSync(join(stateDir(), "locks"), { recursive: true });
        writeFileSync(join(stateDir(), "locks", `${lab}.lock.pid`), "1\n");
        const results = await Promise.all(Array.from({ length: TAKERS }, () => up(file)));
        const built = results.filter((r) => r.code === 0).length;
        const refusedBusy = results.filter((r) => r.code === 1 && /is busy/.test(r.stderr)).length;
        const reach = [
          inNs(`wl-${lab}-n1`, ["ping", "-c", "1", "-W", "5", "10.1.0.2"]).code,
          inNs(`wl-${lab}-n2`, ["ping", "-c", "1", "-W", "5", "10.1.0.6"]).code,
          inNs(`wl-${lab}-n1`, ["ping", "-c", "1", "-W", "5", "10.1.0.10"]).code,
        ];
        const whole = census(lab);
        const ok =
          built >= 1 &&
          built + refusedBusy === TAKERS &&
          results.every((r) => !crashed(r)) &&
          reach.every((c) => c === 0) &&
          whole.namespaces.length === 3;
        tally.add(ok, false);
        expect(
          results.filter((r) => r.code !== 0 && !/is busy/.test(r.stderr)),
          "every up built the lab, found it built, or was told it is busy",
        ).toEqual([]);
        expect(built).toBeGreaterThanOrEqual(1);
        expect(reach, `round ${round}: every link forwards`).toEqual([0, 0, 0]);
        expect(whole.namespaces).toHaveLength(3);
        // Half the rounds start from a built lab, half from nothing.
        if (round % 2 === 1) expect((await down(lab)).code).toBe(0);
      }
    } finally {
      down(lab);
    }
    const left = census(lab);
    expect(clean(left) ? NOTHING : left).toEqual(NOTHING);
  }, 600_000);
});
