/**
 * Finding 5: objects deleted by hand. `status` says what is missing; `up`
 * puts it back (a namespace node with its wires, a vEth, a tap and the VM
 * on it, a mirred filter, a bridge port) and every link carries again.
 */
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostTag } from "../../src/plan/names.js";
import { cli, inNs, labFile, pingFrom } from "../integration/lab-helpers.js";
import { census, clean, crashed, down, NOTHING, printTable, RUNS, Tally } from "./helpers.js";

const TOPOLOGY = `
nodes:
  n1: {}
  n2: {}
  n3: {}
  v1: { kind: vm }
links:
  - n1-n2                          # vEth
  - n1-v1                          # tap + tc mirred
  - { n2: {}, n3: {}, relay: true } # the wire daemon, socat on host vEth ends
  - [n1, n2, n3]                   # a bridge in the lab namespace
`;

const tallies: Tally[] = [];
afterAll(() => printTable(tallies));

/** Every link, both ways where a namespace can ping: who pings which address. */
const PINGS: [string, string][] = [
  ["n1", "10.1.0.2"],
  ["n1", "10.1.0.6"],
  ["n2", "10.1.0.10"],
  ["n3", "10.1.0.9"],
  ["n1", "172.16.0.2"],
  ["n2", "172.16.0.3"],
  ["n3", "172.16.0.1"],
];

describe("objects deleted by hand", () => {
  let file: string;
  let lab: string;
  let tag: string;
  beforeAll(async () => {
    ({ file, lab } = labFile(TOPOLOGY, "repair"));
    tag = `wl${hostTag(lab)}`;
    const r = await cli(["up", file]);
    if (r.code !== 0) throw new Error(r.stderr);
  });
  afterAll(() => {
    down(lab);
    expect(clean(census(lab)) ? NOTHING : census(lab)).toEqual(NOTHING);
  });

  const ip = (...args: string[]) => execFileSync("ip", args, { stdio: "ignore" });
  const cases: [string, () => void, RegExp][] = [
    [
      "a node's vEth",
      () => ip("-n", `wl-${lab}-n1`, "link", "delete", "eth1"),
      /vEth eth1 in wl-.*-n1/,
    ],
    ["a VM's tap", () => ip("link", "delete", `${tag}t1`), /tap wl\w+t1/],
    ["a relayed vEth's host end", () => ip("link", "delete", `${tag}v2`), /vEth wl\w+v2/],
    ["a node's namespace", () => ip("netns", "delete", `wl-${lab}-n2`), /namespace wl-.*-n2/],
    [
      "a bridge port",
      () => ip("-n", `wl-${lab}`, "link", "set", "n3-eth2", "nomaster"),
      /port n3-eth2 of bridge/,
    ],
    [
      "a tap's mirred filters",
      () => execFileSync("tc", ["qdisc", "del", "dev", `${tag}v1`, "ingress"]),
      /tc mirred filters/,
    ],
  ];
  for (const [what, remove, shown] of cases) {
    it(`${what}: status says it is missing, up puts it back, every link carries`, async () => {
      const tally = new Tally(`${what} deleted by hand`);
      tallies.push(tally);
      for (let run = 0; run < RUNS; run++) {
        remove();
        const before = await cli(["status", "--lab", lab]);
        const repaired = await cli(["up", file]);
        const after = await cli(["status", "--lab", lab]);
        // Three tries: the relay's socat comes back within its supervisor's restart delay.
        const reaches = (from: string, to: string) =>
          [1, 2, 3].some(
            () => inNs(`wl-${lab}-${from}`, ["ping", "-c", "1", "-W", "2", to]).code === 0,
          );
        const failed = PINGS.filter(([from, to]) => !reaches(from, to)).map(
          ([f, t]) => `${f} → ${t}`,
        );
        const vm = await pingFrom(lab, "v1", "10.1.0.5", 3);
        const again = await cli(["up", file]);
        const ok =
          shown.test(before.stdout) &&
          repaired.code === 0 &&
          !/MISSING/.test(after.stdout) &&
          failed.length === 0 &&
          vm.code === 0 &&
          /nothing to do/.test(again.stdout) &&
          ![before, repaired, after, again].some(crashed);
        tally.add(ok, false);
        expect(before.stdout).toMatch(shown);
        expect(repaired.code, repaired.stderr).toBe(0);
        expect(repaired.stderr).toMatch(/put back what was missing|restarting v1/);
        expect(after.stdout).not.toMatch(/MISSING/);
        expect(failed, "links that do not carry").toEqual([]);
        expect(vm.code, "v1 reaches n1").toBe(0);
        expect(again.stdout).toMatch(/already up as planned; nothing to do/);
      }
    });
  }

  it("restart of a VM whose tap is gone says how to put it back", async () => {
    ip("link", "delete", `${tag}t1`);
    const r = await cli(["restart", "--lab", lab, "v1"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/tap wl\w+t1 is missing; "wirelab up FILE" puts it back/);
    expect((await cli(["up", file])).code).toBe(0);
  });
});
