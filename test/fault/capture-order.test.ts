/**
 * Finding 15: a capture writes frames in the order they passed, with their
 * direction, on every kind of capture point (a namespace's vEth, a VM's
 * tap, a UDP tunnel, a link the wire daemon relays), filtered, while two
 * busy processes keep the CPUs loaded: bursts of pings, every reply after
 * its request.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, labFile, stateDir } from "../integration/lab-helpers.js";
import { down, printTable, RUNS, Tally } from "./helpers.js";

/** Rounds per FAULT_RUNS: 50 with FAULT_RUNS=10. */
const ROUNDS = 5 * RUNS;
/** Echo requests per burst, 2 ms apart. */
const PINGS = 20;

const TOPOLOGY = `
nodes:
  n1: {}
  n2: {}
  v1: { kind: vm }
  v2: { kind: vm }
links: [n1-n2, n1-v1, v1-v2, { n2: {}, v2: {}, relay: true }]
`;

const tallies: Tally[] = [];
afterAll(() => printTable(tallies));

/** pcapng epb_flags direction (pcapng spec, "Enhanced Packet Block Flags Word"): 1 inbound, 2 outbound. */
const INBOUND = "0x00000001";
const OUTBOUND = "0x00000002";

/** Where to capture, who pings whom, and the direction of the requests there. */
const POINTS: {
  what: string;
  node: string;
  ifname: string;
  pinger: string[];
  requests: string;
}[] = [
  {
    what: "a namespace's vEth",
    node: "n1",
    ifname: "eth1",
    pinger: ["n1", "10.1.0.2"],
    requests: OUTBOUND,
  },
  { what: "a VM's tap", node: "v1", ifname: "eth1", pinger: ["n1", "10.1.0.6"], requests: INBOUND },
  {
    what: "a UDP tunnel",
    node: "v2",
    ifname: "eth1",
    pinger: ["v1", "10.1.0.10"],
    requests: INBOUND,
  },
  {
    what: "a relayed link",
    node: "n2",
    ifname: "eth2",
    pinger: ["n2", "10.1.0.14"],
    requests: OUTBOUND,
  },
];

describe("capture order under load", () => {
  let lab: string;
  const hogs: ChildProcess[] = [];
  beforeAll(async () => {
    const f = labFile(TOPOLOGY, "caporder");
    lab = f.lab;
    const r = await cli(["up", f.file]);
    if (r.code !== 0) throw new Error(r.stderr);
    for (let i = 0; i < 2; i++)
      hogs.push(spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }));
  });
  afterAll(() => {
    for (const h of hogs) h.kill("SIGKILL");
    down(lab);
  });

  for (const p of POINTS) {
    it(`${p.what}: ${ROUNDS} bursts of ${PINGS} pings, every reply after its request`, async () => {
      const tally = new Tally(`capture order on ${p.what}, under load`);
      tallies.push(tally);
      for (let round = 0; round < ROUNDS; round++) {
        const out = join(stateDir(), `${lab}-${p.node}-${round}.pcapng`);
        const capture = spawn(
          process.execPath,
          [
            "dist/cli/bin.js",
            ...["capture", "--lab", lab, p.node, p.ifname, "-c", String(2 * PINGS), "-w", out],
            "icmp",
          ],
          {
            env: { ...process.env, WIRELAB_STATE_DIR: stateDir() },
            stdio: ["ignore", "ignore", "pipe"],
          },
        );
        const exited = new Promise<number | null>((resolve) => capture.on("exit", resolve));
        await new Promise<void>((resolve) =>
          capture.stderr.on("data", (d: Buffer) => d.toString().includes("capturing") && resolve()),
        );
        const [from, to] = p.pinger as [string, string];
        const ping = await cli([
          "exec",
          "--lab",
          lab,
          from,
          "--",
          "ping",
          "-q",
          "-c",
          String(PINGS),
          "-i",
          "0.002",
          "-W",
          "5",
          to,
        ]);
        const timer = setTimeout(() => capture.kill("SIGINT"), 20_000);
        await exited;
        clearTimeout(timer);
        const lines = execFileSync(
          "tshark",
          [
            "-r",
            out,
            "-T",
            "fields",
            "-e",
            "icmp.type",
            "-e",
            "icmp.seq",
            "-e",
            "frame.packet_flags_direction",
          ],
          { encoding: "utf8" },
        )
          .trim()
          .split("\n");
        // Every request comes before its reply, with the direction it went.
        const seen = new Map<string, string>();
        const problems: string[] = [];
        for (const [i, line] of lines.entries()) {
          const [type, seq, direction] = line.split("\t");
          const replyDirection = p.requests === OUTBOUND ? INBOUND : OUTBOUND;
          if (type === "8") {
            seen.set(seq as string, "request");
            if (direction !== p.requests) problems.push(`frame ${i}: request ${seq} ${direction}`);
          } else if (type === "0") {
            if (seen.get(seq as string) !== "request")
              problems.push(`frame ${i}: reply ${seq} before its request`);
            if (direction !== replyDirection)
              problems.push(`frame ${i}: reply ${seq} ${direction}`);
          }
        }
        const ok = ping.code === 0 && lines.length === 2 * PINGS && problems.length === 0;
        tally.add(ok, false);
        expect(ping.code, ping.stderr).toBe(0);
        expect(problems, `round ${round}`).toEqual([]);
        expect(lines).toHaveLength(2 * PINGS);
      }
    }, 600_000);
  }
});
