#!/usr/bin/env node
// Splicing benchmark: frames lost while a link moves onto the wire daemon
// live (`wirelab link impair`) and back (`--clear`), and how long each move
// takes.
// 1. A vEth between two namespaces: ping at 1,000 pps through five splice /
//    move-back cycles; then UDP at line rate (a sender in one namespace as
//    fast as it can, a receiver counting distinct sequence numbers in the
//    other), without any move and with five cycles during the run.
// 2. A UDP tunnel between two VMs (QEMU filter-redirectors): ping at 200 pps
//    (what a TCG guest keeps up with here) through five cycles.
// Needs root, QEMU and the guest image. Prints markdown.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { tearDownOnSignal } from "./lib.mjs";

const root = join(import.meta.dirname, "..");
const cli = join(root, "dist", "cli", "bin.js");
const dir = mkdtempSync(join(tmpdir(), "wirelab-splicebench-"));
tearDownOnSignal(dir);
const env = { ...process.env, WIRELAB_STATE_DIR: join(dir, "state") };
const wl = (...args) => {
  const r = spawnSync(process.execPath, [cli, ...args], { env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`wirelab ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
};
const timed = (...args) => {
  const t = performance.now();
  wl(...args);
  return performance.now() - t;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs `cycles` splice / move-back cycles on NODE IFNAME; returns the times in ms. */
async function cycles(lab, node, ifname, n = 5) {
  const splice = [];
  const back = [];
  for (let i = 0; i < n; i++) {
    await sleep(300);
    splice.push(timed("link", "impair", "--lab", lab, node, ifname, "--delay", "1ms"));
    await sleep(300);
    back.push(timed("link", "impair", "--lab", lab, node, ifname, "--clear"));
  }
  return { splice, back };
}

/** Pings from a command line in the background; resolves to [sent, received]. */
function pinging(argv) {
  const p = spawn(argv[0], argv.slice(1), { env, stdio: ["ignore", "pipe", "ignore"] });
  let out = "";
  p.stdout.on("data", (d) => {
    out += d;
  });
  return new Promise((resolve) =>
    p.on("exit", () => {
      const m = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(out);
      resolve(m ? [Number(m[1]), Number(m[2])] : [0, 0]);
    }),
  );
}

const RECEIVER = `
const s = require("node:dgram").createSocket({ type: "udp4", recvBufferSize: 16 << 20 });
const seen = new Set();
s.on("message", (m) => seen.add(m.readUInt32BE(0)));
s.bind(9999, () => process.stdout.write("ready\\n"));
process.on("SIGTERM", () => { process.stdout.write(seen.size + "\\n"); process.exit(0); });
`;
// Sends numbered datagrams for a while: as fast as it can (pps 0), or pps a second in 1 ms steps.
const SENDER = `
const [to, seconds, pps] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
const s = require("node:dgram").createSocket({ type: "udp4", sendBufferSize: 4 << 20 });
let seq = 0, inFlight = 0;
const start = Date.now(), end = start + seconds * 1000;
const burst = () => {
  if (Date.now() > end) { const wait = () => inFlight ? setTimeout(wait, 10) : (process.stdout.write(seq + "\\n"), process.exit(0)); return wait(); }
  const due = pps ? Math.floor(((Date.now() - start) * pps) / 1000) - seq : 64;
  for (let i = 0; i < due; i++) { const b = Buffer.alloc(100); b.writeUInt32BE(seq++, 0); inFlight++; s.send(b, 9999, to, () => inFlight--); }
  if (pps) setTimeout(burst, 1); else setImmediate(burst);
};
burst();
`;

/** UDP at line rate from p to q for `seconds`, with `during` run meanwhile; returns [sent, distinct received]. */
async function udpRun(lab, to, seconds, pps, during) {
  const rx = spawn("ip", ["netns", "exec", `wl-${lab}-q`, process.execPath, "-e", RECEIVER], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let rxOut = "";
  rx.stdout.on("data", (d) => {
    rxOut += d;
  });
  while (!rxOut.includes("ready")) await sleep(10);
  const tx = spawn(
    "ip",
    [
      "netns",
      "exec",
      `wl-${lab}-p`,
      process.execPath,
      "-e",
      SENDER,
      to,
      String(seconds),
      String(pps),
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let txOut = "";
  tx.stdout.on("data", (d) => {
    txOut += d;
  });
  const sent = new Promise((resolve) => tx.on("exit", () => resolve(Number(txOut.trim()))));
  await during();
  const n = await sent;
  await sleep(300);
  const got = new Promise((resolve) =>
    rx.on("exit", () => resolve(Number(rxOut.split("\n").filter(Boolean).pop()))),
  );
  rx.kill("SIGTERM");
  return [n, await got];
}

const rows = [];
try {
  // 1. vEth.
  const ns = join(dir, "ns.yml");
  writeFileSync(
    ns,
    "name: wlbsplice\nnodes: [p, q]\nlinks:\n  - { p: { ipv4: 10.63.0.1/24 }, q: { ipv4: 10.63.0.2/24 } }\n",
  );
  wl("up", ns);
  const ping = pinging([
    "ip",
    "netns",
    "exec",
    "wl-wlbsplice-p",
    "ping",
    "-q",
    "-i",
    "0.001",
    "-c",
    "5000",
    "10.63.0.2",
  ]);
  const t = await cycles("wlbsplice", "p", "eth1");
  const [sent, received] = await ping;
  rows.push([
    "vEth, ping 1,000 pps, 5 cycles",
    `${sent - received} of ${sent}`,
    median(t.splice),
    median(t.back),
  ]);
  let ut;
  const [u1, v1] = await udpRun("wlbsplice", "10.63.0.2", 6, 10_000, async () => {
    ut = await cycles("wlbsplice", "p", "eth1");
  });
  rows.push([
    "vEth, UDP 10,000 pps 6 s, 5 cycles",
    `${u1 - v1} of ${u1}`,
    median(ut.splice),
    median(ut.back),
  ]);
  wl("link", "impair", "--lab", "wlbsplice", "p", "eth1", "--delay", "1ms");
  const [u2, v2] = await udpRun("wlbsplice", "10.63.0.2", 3, 10_000, () => sleep(3000));
  wl("link", "impair", "--lab", "wlbsplice", "p", "eth1", "--clear");
  rows.push([
    "vEth, UDP 10,000 pps 3 s, spliced throughout",
    `${u2 - v2} of ${u2}`,
    undefined,
    undefined,
  ]);
  const [s0, r0] = await udpRun("wlbsplice", "10.63.0.2", 3, 0, () => sleep(3000));
  rows.push(["vEth, UDP line rate 3 s, on the vEth", `${s0 - r0} of ${s0}`, undefined, undefined]);
  wl("link", "impair", "--lab", "wlbsplice", "p", "eth1", "--delay", "1ms");
  const [s2, r2] = await udpRun("wlbsplice", "10.63.0.2", 3, 0, () => sleep(3000));
  wl("link", "impair", "--lab", "wlbsplice", "p", "eth1", "--clear");
  rows.push([
    "vEth, UDP line rate 3 s, spliced throughout (the daemon's capacity)",
    `${s2 - r2} of ${s2}`,
    undefined,
    undefined,
  ]);
  let lt;
  const [s1, r1] = await udpRun("wlbsplice", "10.63.0.2", 6, 0, async () => {
    lt = await cycles("wlbsplice", "p", "eth1");
  });
  rows.push([
    "vEth, UDP line rate 6 s, 5 cycles",
    `${s1 - r1} of ${s1}`,
    median(lt.splice),
    median(lt.back),
  ]);
  wl("down", "--lab", "wlbsplice");

  // 2. VMs.
  const vm = join(dir, "vm.yml");
  writeFileSync(
    vm,
    "name: wlbsplicevm\ndefaults: { kind: vm }\nnodes: [a, b]\nlinks:\n  - { a: { ipv4: 10.64.0.1/24 }, b: { ipv4: 10.64.0.2/24 } }\n",
  );
  wl("up", vm);
  const vping = pinging([
    process.execPath,
    cli,
    "exec",
    "--lab",
    "wlbsplicevm",
    "a",
    "--",
    "ping",
    "-q",
    "-i",
    "0.005",
    "-c",
    "1500",
    "10.64.0.2",
  ]);
  const vt = await cycles("wlbsplicevm", "a", "eth1");
  const [vs, vr] = await vping;
  rows.push([
    "UDP tunnel between VMs, ping 200 pps, 5 cycles",
    `${vs - vr} of ${vs}`,
    median(vt.splice),
    median(vt.back),
  ]);
} finally {
  for (const lab of ["wlbsplice", "wlbsplicevm"])
    spawnSync(process.execPath, [cli, "down", "--lab", lab], { env, stdio: "ignore" });
  rmSync(dir, { recursive: true, force: true });
}

console.log(
  `## Splicing (${new Date().toISOString().slice(0, 10)}, ${cpus().length}× ${cpus()[0]?.model})\n`,
);
console.log("| case | frames lost | splice (ms, median) | move back (ms, median) |");
console.log("|---|---:|---:|---:|");
for (const [what, lost, a, b] of rows)
  console.log(
    `| ${what} | ${lost} | ${a === undefined ? "" : a.toFixed(0)} | ${b === undefined ? "" : b.toFixed(0)} |`,
  );
