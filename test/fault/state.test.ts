/**
 * Findings 2, 3 and 9: bad state. A record that cannot be used affects its
 * own lab only, and `down --lab` removes what it finds of the lab by name; a
 * read-only state directory gives a clear message (exit 1), and the wire
 * daemon keeps forwarding when it cannot save a live change; a file and
 * `--lab` that disagree are a usage error.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliSync, inNs, labFile, stateDir } from "../integration/lab-helpers.js";
import { census, clean, crashed, down, NOTHING, printTable, RUNS, Tally } from "./helpers.js";

const NAMESPACES = `
nodes: [n1, n2]
links:
  - n1-n2
  - { n1: {}, n2: {}, relay: true }
`;
const WITH_VM = `
nodes:
  v1: { kind: vm }
  n1: {}
links:
  - n1-v1
  - { n1: {}, v1: {}, relay: true }
`;

const tallies: Tally[] = [];
afterAll(() => printTable(tallies));

const recordOf = (lab: string) => join(stateDir(), "labs", lab, "state.json");

/** Ways a record gets broken: given the good record's text, the broken one. */
const CORRUPTIONS: [string, string, (good: string) => string][] = [
  ["truncated", NAMESPACES, (good) => good.slice(0, good.length / 2)],
  ["null", WITH_VM, () => "null"],
  ["an empty object", NAMESPACES, () => "{}"],
  ["a list", NAMESPACES, () => "[]"],
  ["another lab's", NAMESPACES, (good) => good.replace(/"lab": "[^"]+"/, '"lab": "someone"')],
  ["without a plan", NAMESPACES, (good) => JSON.stringify({ ...JSON.parse(good), plan: null })],
  ["empty", NAMESPACES, () => ""],
];

describe("a lab whose record cannot be used", () => {
  // A healthy lab beside it, which must not notice.
  let bystander: { file: string; lab: string };
  beforeAll(() => {
    bystander = labFile(NAMESPACES, "bystander");
    const r = cliSync(["up", bystander.file]);
    if (r.code !== 0) throw new Error(r.stderr);
  });
  afterAll(() => {
    down(bystander.lab);
  });

  CORRUPTIONS.forEach(([how, topology, corrupt], k) => {
    it(`record ${how}: other labs unaffected, no stack trace, down --lab removes it by name`, () => {
      const tally = new Tally(`record ${how}`);
      tallies.push(tally);
      for (let run = 0; run < RUNS; run++) {
        const { file, lab } = labFile(topology, `bad${k}r${run}`);
        expect(cliSync(["up", file]).code).toBe(0);
        writeFileSync(recordOf(lab), corrupt(readFileSync(recordOf(lab), "utf8")));

        const status = cliSync(["status"]);
        const statusOther = cliSync(["status", "--lab", bystander.lab]);
        const again = cliSync(["up", file]);
        const third = labFile(NAMESPACES, `third${k}r${run}`);
        const upThird = cliSync(["up", third.file]);
        const downThird = down(third.lab);
        const gone = down(lab);
        const left = census(lab);
        const results = [status, statusOther, again, upThird, downThird, gone];
        const ok =
          status.code === 0 &&
          status.stdout.includes(`lab ${lab} (UNREADABLE)`) &&
          statusOther.code === 0 &&
          again.code === 1 &&
          again.stderr.includes(`wirelab down --lab ${lab}`) &&
          upThird.code === 0 &&
          downThird.code === 0 &&
          gone.code === 0 &&
          results.every((r) => !crashed(r)) &&
          clean(left) &&
          census(bystander.lab).namespaces.length === 2;
        tally.add(ok, !clean(left));

        for (const r of results) expect(crashed(r), r.stderr).toBe(false);
        expect(statusOther.code, statusOther.stderr).toBe(0);
        expect(upThird.code, upThird.stderr).toBe(0);
        expect(status.stdout).toContain(`lab ${lab} (UNREADABLE)`);
        expect(status.stdout).toContain(recordOf(lab));
        expect(again.stderr).toContain(recordOf(lab));
        expect(again.code).toBe(1);
        expect(again.stderr).toContain(`wirelab down --lab ${lab}`);
        expect(gone.code, gone.stderr).toBe(0);
        expect(gone.stderr).toMatch(/removing what was found by its name/);
        expect(left).toEqual(NOTHING);
        expect(census(bystander.lab).namespaces).toHaveLength(2);
      }
    });
  });
});

describe("a read-only state directory", () => {
  it("live changes apply and say they were not saved; the daemon keeps forwarding; up and down say why they cannot run", () => {
    const tally = new Tally("read-only state directory");
    tallies.push(tally);
    for (let run = 0; run < RUNS; run++) {
      const { file, lab } = labFile(NAMESPACES, `ro${run}`);
      const other = labFile(NAMESPACES, `roother${run}`);
      expect(cliSync(["up", file]).code).toBe(0);
      const daemonPid = () =>
        readFileSync(join(stateDir(), "labs", lab, "wire", "daemon.pid"), "utf8").trim();
      const before = daemonPid();
      // A read-only bind mount over the state directory: new writes fail with EROFS.
      const dir = stateDir();
      execFileSync("mount", ["--bind", dir, dir]);
      let results: { code: number; stderr: string }[] = [];
      let relayed = -1;
      try {
        execFileSync("mount", ["-o", "remount,bind,ro", dir]);
        const linkDown = cliSync(["link", "down", "--lab", lab, "n1", "eth2"]);
        const linkUp = cliSync(["link", "up", "--lab", lab, "n1", "eth2"]);
        const impair = cliSync(["link", "impair", "--lab", lab, "n1", "eth2", "--delay", "1ms"]);
        relayed = inNs(`wl-${lab}-n1`, ["ping", "-c", "1", "-W", "5", "10.1.0.6"]).code;
        const upOther = cliSync(["up", other.file]);
        const downRo = down(lab);
        results = [linkDown, linkUp, impair, upOther, downRo];
      } finally {
        execFileSync("umount", [dir]);
      }
      const [linkDown, linkUp, impair, upOther, downRo] = results as [
        { code: number; stderr: string },
        { code: number; stderr: string },
        { code: number; stderr: string },
        { code: number; stderr: string },
        { code: number; stderr: string },
      ];
      const sameDaemon = daemonPid() === before;
      const gone = down(lab);
      const left = census(lab);
      const otherLeft = census(other.lab);
      const ok =
        [linkDown, linkUp, impair].every((r) => r.code === 0 && /not saved/.test(r.stderr)) &&
        relayed === 0 &&
        sameDaemon &&
        upOther.code === 1 &&
        /read-only file system/.test(upOther.stderr) &&
        downRo.code === 1 &&
        /read-only file system/.test(downRo.stderr) &&
        results.every((r) => !crashed(r)) &&
        gone.code === 0 &&
        clean(left) &&
        clean(otherLeft);
      tally.add(ok, !clean(left) || !clean(otherLeft));

      for (const r of results) expect(crashed(r), r.stderr).toBe(false);
      for (const r of [linkDown, linkUp, impair]) {
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toMatch(/applied, but not saved .*read-only file system/);
      }
      expect(relayed, "the relayed link still forwards").toBe(0);
      expect(sameDaemon, "the wire daemon did not restart").toBe(true);
      expect(upOther.code).toBe(1);
      expect(upOther.stderr).toMatch(/state directory is on a read-only file system/);
      expect(downRo.code).toBe(1);
      expect(downRo.stderr).toMatch(/state directory is on a read-only file system/);
      expect(gone.code, gone.stderr).toBe(0);
      expect(left).toEqual(NOTHING);
      expect(otherLeft).toEqual(NOTHING);
    }
  });
});

describe("a file and --lab that disagree", () => {
  it("are a usage error for every command taking both, and change nothing", () => {
    const tally = new Tally("file and --lab disagree");
    tallies.push(tally);
    const one = labFile(NAMESPACES, "agree1");
    const two = labFile(NAMESPACES, "agree2");
    expect(cliSync(["up", two.file]).code).toBe(0);
    try {
      for (const command of ["down", "status", "validate"]) {
        const r = cliSync([command, one.file, "--lab", two.lab]);
        const ok = r.code === 2 && !crashed(r) && census(two.lab).namespaces.length === 2;
        tally.add(ok, false);
        expect(r.code, `${command}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toContain(`is the topology of lab "${one.lab}", not "${two.lab}"`);
        expect(census(two.lab).namespaces).toHaveLength(2);
      }
    } finally {
      down(two.lab);
    }
  });
});
