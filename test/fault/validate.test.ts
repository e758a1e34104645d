/**
 * Findings 7 and 8: `validate` at scale and with a node that does not
 * answer. A 100-node LAN's 9,900 neighbour pings all pass (the host's
 * neighbour tables never overflow) in well under a minute; a frozen VM
 * fails its own tests with the reason while every other test runs.
 */
import { execFileSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { cli, labFile, vmPid } from "../integration/lab-helpers.js";
import { census, clean, crashed, down, NOTHING, printTable, RUNS, Tally } from "./helpers.js";

const tallies: Tally[] = [];
afterAll(() => printTable(tallies));

interface Result {
  test: { from: string; targetNode?: string; name: string };
  passed: boolean;
  detail?: string;
}

/** Kernel log lines saying a neighbour table overflowed. */
const overflows = () =>
  execFileSync("dmesg", { encoding: "utf8" })
    .split("\n")
    .filter((l) => l.includes("neighbor table overflow")).length;

describe("validate", () => {
  it("a 100-node LAN: 9,900 neighbour pings, no false failure, no table overflow", async () => {
    const tally = new Tally("validate of a healthy 100-node LAN");
    tallies.push(tally);
    const nodes = Array.from({ length: 100 }, (_, i) => `h${i}`);
    const { file, lab } = labFile(
      `nodes: [${nodes.join(", ")}]\nlinks: [[${nodes.join(", ")}]]\n`,
      "lan100",
    );
    try {
      expect((await cli(["up", file])).code).toBe(0);
      for (let run = 0; run < RUNS; run++) {
        const before = overflows();
        const started = Date.now();
        const r = await cli(["validate", "--json", file]);
        const seconds = (Date.now() - started) / 1000;
        const out = JSON.parse(r.stdout) as { passed: number; failed: number; results: Result[] };
        const grew = overflows() - before;
        console.log(
          `validate of 100 nodes on one LAN: ${out.passed} passed, ${out.failed} failed in ${seconds.toFixed(1)} s`,
        );
        tally.add(r.code === 0 && out.failed === 0 && grew === 0, false);
        expect(
          out.results.filter((t) => !t.passed).map((t) => `${t.test.name}: ${t.detail}`),
        ).toEqual([]);
        expect(out.passed).toBe(9900);
        expect(grew, "neighbour table overflows in the kernel log").toBe(0);
      }
    } finally {
      down(lab);
    }
  }, 600_000);

  it("a VM that does not answer fails its own tests with the reason; the others run", async () => {
    const tally = new Tally("validate with a frozen VM");
    tallies.push(tally);
    const { file, lab } = labFile(
      `
nodes:
  n1: {}
  v1: { kind: vm }
  v2: { kind: vm }
links: [n1-v1, n1-v2, v1-v2]
`,
      "frozen",
    );
    try {
      expect((await cli(["up", file])).code).toBe(0);
      for (let run = 0; run < RUNS; run++) {
        const pid = vmPid(lab, "v2");
        process.kill(pid, "SIGSTOP");
        let r: Awaited<ReturnType<typeof cli>>;
        try {
          r = await cli(["validate", "--json", file]);
        } finally {
          process.kill(pid, "SIGCONT");
        }
        const out = JSON.parse(r.stdout) as { results: Result[] };
        const fromV2 = out.results.filter((t) => t.test.from === "v2");
        const others = out.results.filter(
          (t) => t.test.from !== "v2" && t.test.targetNode !== "v2",
        );
        const ok =
          r.code === 1 &&
          !crashed(r) &&
          fromV2.length > 0 &&
          fromV2.every((t) => !t.passed && /could not run ping in v2/.test(t.detail ?? "")) &&
          others.length > 0 &&
          others.every((t) => t.passed);
        tally.add(ok, false);
        expect(r.code, r.stderr).toBe(1);
        expect(fromV2.map((t) => t.detail)).toEqual(
          fromV2.map(() => expect.stringMatching(/could not run ping in v2/)),
        );
        expect(others.filter((t) => !t.passed).map((t) => t.test.name)).toEqual([]);
      }
    } finally {
      down(lab);
      expect(clean(census(lab)) ? NOTHING : census(lab)).toEqual(NOTHING);
    }
  }, 600_000);
});
