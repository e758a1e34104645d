#!/usr/bin/env node
// Wire daemon benchmark.
// 1. Capacity: the daemon alone (`dist/wire/main.js run`), a relay link and a
//    three-port hub; one process sends 98-byte frames into a port as fast as
//    it can, another counts what comes out. Frames/s carried and the
//    daemon's CPU per frame, with capture off, with a capture reading the
//    link, and with a 10 ms delay configured.
// 2. Between two VMs, in one lab: iperf3 TCP and ping RTT over a direct QEMU
//    UDP tunnel, a relayed link and a hub LAN.
// Needs root, QEMU and the guest image for part 2. Prints markdown.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { NO_IMPAIRMENT } from "../dist/impairment.js";
import { WireClient } from "../dist/wire/client.js";
import { cpuTicks, tearDownOnSignal } from "./lib.mjs";

const root = join(import.meta.dirname, "..");
const main = join(root, "dist", "wire", "main.js");
const cli = join(root, "dist", "cli", "bin.js");
const dir = mkdtempSync(join(tmpdir(), "wirelab-wirebench-"));
tearDownOnSignal(dir);

// A child that counts datagrams on a port until told to stop, then prints the count.
const COUNTER = `
const s = require("node:dgram").createSocket({ type: "udp4", recvBufferSize: 8 << 20 });
let n = 0;
s.on("message", () => n++);
s.bind(Number(process.argv[1]), "127.0.0.1", () => process.stdout.write("ready\\n"));
process.on("SIGTERM", () => { process.stdout.write(n + "\\n"); process.exit(0); });
`;
// A child that sends N frames from one port to another as fast as it can, in bursts.
const SENDER = `
const [from, to, count] = process.argv.slice(1).map(Number);
const s = require("node:dgram").createSocket("udp4");
const f = Buffer.alloc(98); f.write("0180c200000e020000000001", "hex");
s.bind(from, "127.0.0.1", () => {
  s.connect(to, "127.0.0.1", () => {
    let sent = 0;
    const t = process.hrtime.bigint();
    const burst = () => {
      for (let i = 0; i < 256 && sent < count; i++, sent++) s.send(f);
      if (sent < count) setImmediate(burst);
      else setTimeout(() => { process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6) + "\\n"); process.exit(0); }, 200);
    };
    burst();
  });
});
`;

/** Reads a child's output line by line; lines that come before anyone asks are kept. */
const lines = (proc) => {
  let buf = "";
  const waiting = [];
  const ready = [];
  proc.stdout.on("data", (d) => {
    buf += d;
    for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      const w = waiting.shift();
      if (w) w(line);
      else ready.push(line);
    }
  });
  return () =>
    new Promise((r) => {
      if (ready.length) r(ready.shift());
      else waiting.push(r);
    });
};

/** Runs the daemon alone on one link of `mode` with `ports`; resolves once it listens. */
async function startDaemon(mode, ports) {
  const config = {
    lab: "wlbench-wire",
    control: join(dir, "control.sock"),
    liveState: join(dir, "live.json"),
    pidfile: join(dir, "daemon.pid"),
    attachments: [],
    links: [{ name: "l", mode, ports }],
  };
  rmSync(config.liveState, { force: true });
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  const daemon = spawn(process.execPath, [main, "run", join(dir, "config.json")], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  await new Promise((r) => daemon.stderr.once("data", r));
  return { daemon, client: await WireClient.connect(config.control) };
}

async function capacity(label, mode, nPorts, setup) {
  const base = 47000 + Math.floor(Math.random() * 1000) * 10;
  const ports = Array.from({ length: nPorts }, (_, i) => ({
    name: `v${i}:eth1`,
    listen: base + i,
    peer: base + 100 + i,
    impair: NO_IMPAIRMENT,
  }));
  const { daemon, client } = await startDaemon(mode, ports);
  const cleanup = await setup(client);
  const counters = ports.slice(1).map((p) => {
    const c = spawn(process.execPath, ["-e", COUNTER, String(p.peer)], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    return { c, next: lines(c) };
  });
  for (const { next } of counters) await next();
  const count = 400_000;
  const cpu0 = cpuTicks(daemon.pid);
  const sender = spawn(
    process.execPath,
    ["-e", SENDER, String(ports[0].peer), String(ports[0].listen), String(count)],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  const ms = Number(await lines(sender)());
  const cpu = cpuTicks(daemon.pid) - cpu0;
  const got = [];
  for (const { c, next } of counters) {
    const p = next();
    c.kill("SIGTERM");
    got.push(Number(await p));
  }
  const out = Math.min(...got);
  await cleanup?.();
  client.close();
  daemon.kill("SIGTERM");
  await new Promise((r) => daemon.on("exit", r));
  console.log(
    `| ${label} | ${count} | ${Math.round((count * 1000) / ms)} | ${out} | ${Math.round((out * 1000) / ms)} | ${((cpu * 10_000) / Math.max(1, out)).toFixed(1)} |`,
  );
}

// VM ports: unix stream servers, as QEMU's -netdev stream listens; the daemon connects.
// One server writes length-prefixed frames for as long as the socket takes them, the others count.
const STREAM_SENDER = `
const net = require("node:net");
const f = Buffer.alloc(4 + 98); f.writeUInt32BE(98, 0); f.write("0180c200000e020000000001", 4, "hex");
const batch = Buffer.concat(Array.from({ length: 256 }, () => f));
net.createServer((c) => {
  c.on("error", () => {});
  const go = () => { while (c.write(batch)); c.once("drain", go); };
  go();
}).listen(process.argv[1], () => process.stdout.write("ready\\n"));
`;
const STREAM_COUNTER = `
const net = require("node:net");
let n = 0, rest = 0;
net.createServer((c) => c.on("data", (d) => {
  let off = rest;
  while (off + 4 <= d.length) { n++; off += 4 + d.readUInt32BE(off); }
  rest = off >= d.length ? off - d.length : off - d.length; // a header split across chunks is rare; counted once either way
  if (off < d.length) rest = 0;
})).listen(process.argv[1], () => process.stdout.write("ready\\n"));
process.on("SIGTERM", () => { process.stdout.write(n + "\\n"); process.exit(0); });
`;

async function streamCapacity(label, mode, nPorts, setup) {
  const ports = Array.from({ length: nPorts }, (_, i) => ({
    name: `v${i}:eth1`,
    stream: join(dir, `v${i}.sock`),
    listen: 0,
    peer: 0,
    impair: NO_IMPAIRMENT,
  }));
  for (const p of ports) rmSync(p.stream, { force: true });
  const servers = ports.map((p, i) => {
    const c = spawn(process.execPath, ["-e", i === 0 ? STREAM_SENDER : STREAM_COUNTER, p.stream], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    return { c, next: lines(c) };
  });
  for (const { next } of servers) await next();
  const { daemon, client } = await startDaemon(mode, ports);
  const cleanup = await setup(client);
  // The sender writes from the moment the daemon connects; measure a 3 s window after a warm-up.
  await new Promise((r) => setTimeout(r, 500));
  const before = await client.show();
  const cpu0 = cpuTicks(daemon.pid);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, 3000));
  const after = await client.show();
  const secs = (performance.now() - t0) / 1000;
  const cpu = cpuTicks(daemon.pid) - cpu0;
  const tx = (s) => Math.min(...s.links[0].ports.slice(1).map((p) => p.stats.txFrames));
  const rx = (s) => s.links[0].ports[0].stats.rxFrames;
  const dropped = (s) => (s.errors["not-reading"] ?? 0) + (s.errors["not-connected"] ?? 0);
  const inRate = (rx(after) - rx(before)) / secs;
  // Handed on and taken: a counter that cannot keep up makes the daemon drop (never stall).
  const lost = (dropped(after) - dropped(before)) / (nPorts - 1);
  const outRate = (tx(after) - tx(before) - lost) / secs;
  await cleanup?.();
  client.close();
  daemon.kill("SIGTERM");
  for (const { c } of servers) c.kill("SIGKILL");
  await new Promise((r) => daemon.on("exit", r));
  console.log(
    `| ${label} | ${Math.round(inRate)} | ${Math.round(outRate)} | ${dropped(after) - dropped(before)} | ${((cpu * 10_000) / Math.max(1, rx(after) - rx(before))).toFixed(2)} |`,
  );
}

console.log(
  `wirelab wire daemon benchmark — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model.trim()}`,
);
console.log("");
const none = async () => undefined;
const capturing = async () => {
  const c = await WireClient.connect(join(dir, "control.sock"));
  let _bytes = 0;
  await c.capture("l", undefined, (d) => {
    _bytes += d.length;
  });
  return () => c.close();
};
const delayed = async (client) => {
  await client.impair("l", "v0:eth1", { ...NO_IMPAIRMENT, delayMs: 10 });
};
try {
  console.log(
    "| VM ports (unix streams, as QEMU's -netdev stream), 98-byte frames, 3 s | frames/s in | frames/s delivered (each output) | dropped (output not reading) | daemon CPU per frame in (µs) |",
  );
  console.log("|---|---:|---:|---:|---:|");
  await streamCapacity("relay", "relay", 2, none);
  await streamCapacity("relay, capture on", "relay", 2, capturing);
  await streamCapacity("relay, 10 ms delay", "relay", 2, delayed);
  await streamCapacity("hub, 3 ports", "hub", 3, none);
  await streamCapacity("hub, 3 ports, capture on", "hub", 3, capturing);
  console.log("");
  console.log(
    "| namespace ports (UDP, as from socat), 98-byte frames | sent | sent/s | delivered (each output) | delivered/s | daemon CPU per frame (µs) |",
  );
  console.log("|---|---:|---:|---:|---:|---:|");
  await capacity("relay", "relay", 2, none);
  await capacity("relay, capture on", "relay", 2, capturing);
  await capacity("hub, 3 ports", "hub", 3, none);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log("");

// Part 2: VMs (WIRE_BENCH_PART=1 stops here).
if (process.env.WIRE_BENCH_PART === "1") process.exit(0);
const vdir = mkdtempSync(join(tmpdir(), "wirelab-wirebench-vm-"));
tearDownOnSignal(vdir);
const env = { ...process.env, WIRELAB_STATE_DIR: join(vdir, "state") };
const file = join(vdir, "wire.yml");
writeFileSync(
  file,
  [
    "name: wlbench-wire",
    "defaults: { kind: vm }",
    "nodes: [a, b]",
    "links:",
    "  - { a: {}, b: {}, name: direct }",
    "  - { a: {}, b: {}, name: relayed, relay: true }",
    "  - { a: {}, b: {}, name: hubbed, transport: hub }",
    "  - { a: {}, b: {}, name: delayed, relay: true, impair: { delay: 5ms } }",
    "",
  ].join("\n"),
);
const wl = (...args) => {
  const r = spawnSync(process.execPath, [cli, ...args], { env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`wirelab ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
};
try {
  wl("up", file);
  const plan = JSON.parse(wl("plan", "--json", file));
  const addrOf = (link) =>
    plan.nodes
      .find((n) => n.name === "b")
      .interfaces.find((i) => i.link === link)
      .ipv4.split("/")[0];
  console.log(
    "| between two VMs (TCG) | iperf3 TCP, 5 s (Mbit/s) | ping RTT p50 (ms) | ping RTT p90 (ms) |",
  );
  console.log("|---|---:|---:|---:|");
  for (const [label, link] of [
    ["direct QEMU UDP tunnel", "direct"],
    ["relayed by the daemon", "relayed"],
    ["hub of two ports", "hubbed"],
    ["relayed, 5 ms delay each way", "delayed"],
  ]) {
    wl("exec", "--lab", "wlbench-wire", "b", "--", "iperf3", "-s", "-D", "-1");
    await new Promise((r) => setTimeout(r, 500));
    const out = JSON.parse(
      wl("exec", "--lab", "wlbench-wire", "a", "--", "iperf3", "-c", addrOf(link), "-t", "5", "-J"),
    );
    const ping = wl(
      "exec",
      "--lab",
      "wlbench-wire",
      "a",
      "--",
      "ping",
      "-c",
      "30",
      "-i",
      "0.1",
      addrOf(link),
    );
    const rtts = [...ping.matchAll(/time=([\d.]+) ms/g)]
      .map((m) => Number(m[1]))
      .sort((x, y) => x - y);
    const q = (p) =>
      rtts[Math.min(rtts.length - 1, Math.floor(p * rtts.length))]?.toFixed(2) ?? "-";
    console.log(
      `| ${label} | ${(out.end.sum_received.bits_per_second / 1e6).toFixed(0)} | ${q(0.5)} | ${q(0.9)} |`,
    );
  }
} finally {
  spawnSync(process.execPath, [cli, "down", file], { env });
  rmSync(vdir, { recursive: true, force: true });
}
