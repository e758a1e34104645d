/**
 * Finding 1: a signal at any moment of a VM lab's `up` stops every step,
 * removes every object (or keeps the record, so that `down` can), and `up`
 * exits within seconds.
 */
import { afterAll, describe, expect, it } from "vitest";
import { cli, cliSync, labFile, pingFrom } from "../integration/lab-helpers.js";
import { census, clean, down, interrupted, NOTHING, printTable, RUNS, Tally } from "./helpers.js";

// Four VMs and two namespaces: UDP tunnels, taps with mirred, a LAN bridge with VM ports, the wire daemon with socat.
const TOPOLOGY = `
nodes:
  v1: { kind: vm }
  v2: { kind: vm }
  v3: { kind: vm }
  v4: { kind: vm }
  n1: {}
  n2: {}
links:
  - v1-v2
  - v2-v3
  - v3-v4
  - n1-v1
  - n2-v4
  - [v2, v3, n1]
  - { n1: {}, n2: {}, relay: true }
`;

/** After the signal, `up` must have ended within this many ms. */
const EXIT_WITHIN_MS = 10_000;

const tallies: Tally[] = [];
afterAll(() => printTable(tallies));

describe("a signal during up of four VMs and two namespaces", () => {
  const sweep: [NodeJS.Signals, number][] = [
    ["SIGINT", 300],
    ["SIGINT", 700],
    ["SIGINT", 1200],
    ["SIGINT", 2000],
    ["SIGINT", 3000],
    ["SIGINT", 5000],
    ["SIGTERM", 700],
    ["SIGTERM", 3000],
  ];
  for (const [signal, delay] of sweep) {
    it(
      `${signal} after ${delay} ms: up ends within seconds, nothing is left (or down removes it)`,
      async () => {
        const tally = new Tally(`${signal} during up after ${delay} ms`);
        tallies.push(tally);
        for (let run = 0; run < RUNS; run++) {
          const { file, lab } = labFile(
            TOPOLOGY,
            `int${signal === "SIGINT" ? "i" : "t"}${delay}r${run}`,
          );
          const r = await interrupted(["up", file], delay, signal);
          const quick = r.endedAfterMs < EXIT_WITHIN_MS;
          // Whatever the moment: nothing left, or a record that down turns into nothing.
          const after = census(lab);
          const settled = after.record ? down(lab).code === 0 : true;
          const left = census(lab);
          tally.add(quick && settled && clean(left), !clean(left));
          expect(r.endedAfterMs, `up ended ${r.endedAfterMs} ms after ${signal}`).toBeLessThan(
            EXIT_WITHIN_MS,
          );
          // Dying of the signal (code null) is its default action: the CLI had not yet set its
          // handler (node still starting) or had already done its work; the census covers both.
          if (r.signalled && r.code !== 0 && r.code !== null)
            expect(r.stderr).toMatch(
              /interrupted; removed what it had built|stopping and removing/,
            );
          expect(left).toEqual(NOTHING);
        }
      },
      120_000 * RUNS,
    );
  }
});

describe("a signal during up of a namespace lab", () => {
  for (const delay of [60, 120, 200, 350]) {
    it(`SIGINT after ${delay} ms: nothing is left (or down removes it)`, async () => {
      const tally = new Tally(`SIGINT during a namespace up after ${delay} ms`);
      tallies.push(tally);
      for (let run = 0; run < RUNS; run++) {
        const { file, lab } = labFile("examples/leaf-spine.yml", `intns${delay}r${run}`);
        const r = await interrupted(["up", file], delay, "SIGINT");
        if (census(lab).record) down(lab);
        const left = census(lab);
        tally.add(r.endedAfterMs < EXIT_WITHIN_MS && clean(left), !clean(left));
        expect(left).toEqual(NOTHING);
      }
    });
  }
});

describe("a signal during up of a lab of routers", () => {
  for (const delay of [150, 300, 500]) {
    it(`SIGINT after ${delay} ms: no FRR daemon, mount or namespace is left (or down removes them)`, async () => {
      const tally = new Tally(`SIGINT during up of FRR routers after ${delay} ms`);
      tallies.push(tally);
      for (let run = 0; run < RUNS; run++) {
        const { file, lab } = labFile("examples/ospf-triangle.yml", `intfrr${delay}r${run}`);
        const r = await interrupted(["up", file], delay, "SIGINT");
        if (census(lab).record) down(lab);
        const left = census(lab);
        tally.add(r.endedAfterMs < EXIT_WITHIN_MS && clean(left), !clean(left));
        expect(left).toEqual(NOTHING);
      }
    });
  }
});

describe("a signal during down and restart of a VM lab", () => {
  for (const delay of [100, 400]) {
    it(`SIGINT after ${delay} ms of down: a second down removes the rest`, async () => {
      const tally = new Tally(`SIGINT during down after ${delay} ms`);
      tallies.push(tally);
      for (let run = 0; run < RUNS; run++) {
        const { file, lab } = labFile(TOPOLOGY, `intdown${delay}r${run}`);
        expect(cliSync(["up", file]).code).toBe(0);
        await interrupted(["down", file], delay, "SIGINT");
        const again = down(lab);
        const left = census(lab);
        tally.add(again.code === 0 && clean(left), !clean(left));
        expect(again.code, again.stderr).toBe(0);
        expect(left).toEqual(NOTHING);
      }
    });

    it(`SIGINT after ${delay} ms of restart: up brings the VM back, down removes everything`, async () => {
      const tally = new Tally(`SIGINT during restart after ${delay} ms`);
      tallies.push(tally);
      for (let run = 0; run < RUNS; run++) {
        const { file, lab } = labFile(TOPOLOGY, `intrst${delay}r${run}`);
        expect(cliSync(["up", file]).code).toBe(0);
        await interrupted(["restart", "--lab", lab, "v2"], delay, "SIGINT");
        const repaired = await cli(["up", file]);
        const ping = await pingFrom(lab, "v1", "10.1.0.2", 5);
        const gone = down(lab);
        const left = census(lab);
        tally.add(
          repaired.code === 0 && ping.code === 0 && gone.code === 0 && clean(left),
          !clean(left),
        );
        expect(repaired.code, repaired.stderr).toBe(0);
        expect(
          ping.code,
          `v1 reaches v2 again: ${ping.stdout}${ping.stderr}; up said: ${repaired.stdout}${repaired.stderr}`,
        ).toBe(0);
        expect(left).toEqual(NOTHING);
      }
    });
  }
});
