#!/usr/bin/env node
// Capture benchmark.
// 1. Decapsulation on one core: a synthetic pcap stream of QEMU UDP tunnel
//    datagrams (loopback Ethernet, IPv4, UDP, a 98-byte inner frame) through
//    the streaming reader, the decapsulator and the pcapng writer; and three
//    sources through the timestamp merge of a several-interface capture.
// 2. Live, through `wirelab capture -w -` on a VM's UDP tunnel: numbered
//    frames sent into the tunnel port; latency from send to the record on the
//    output stream (p50, p99), frames lost and dropped by the kernel at
//    paced send rates, and the capture process's CPU per frame.
// 3. Live, through `wirelab capture -w -` on a namespace's vEth: numbered UDP
//    datagrams sent by the node itself (their send time inside), latency
//    from send to the record on the output stream, frames lost.
// Needs root, QEMU and the guest image for part 2. Prints markdown.
import { spawn, spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { decapsulate } from "../dist/capture/decap.js";
import { TimeMerge } from "../dist/capture/merge.js";
import { PcapReader } from "../dist/capture/pcap-reader.js";
import { enhancedPacket } from "../dist/capture/pcapng.js";
import { cpuTicks, tearDownOnSignal } from "./lib.mjs";

const cli = join(import.meta.dirname, "..", "dist", "cli", "bin.js");

function innerFrame(seq) {
  const f = Buffer.alloc(98);
  Buffer.from("0180c200000e02000000000188b5", "hex").copy(f, 0); // local experimental ethertype
  f.writeUInt32BE(seq, 14);
  return f;
}

function syntheticStream(n) {
  const frame = innerFrame(0);
  const ip = Buffer.alloc(20 + 8 + frame.length);
  ip[0] = 0x45;
  ip.writeUInt16BE(ip.length, 2);
  ip[8] = 64;
  ip[9] = 17;
  ip.writeUInt16BE(8 + frame.length, 24);
  frame.copy(ip, 28);
  const pkt = Buffer.concat([
    Buffer.from("000000000000000000000000", "hex"),
    Buffer.from([8, 0]),
    ip,
  ]);
  const g = Buffer.alloc(24);
  g.writeUInt32LE(0xa1b2c3d4, 0);
  g.writeUInt32LE(1, 20);
  const rec = Buffer.alloc(16 + pkt.length);
  rec.writeUInt32LE(pkt.length, 8);
  rec.writeUInt32LE(pkt.length, 12);
  pkt.copy(rec, 16);
  return Buffer.concat([g, ...Array.from({ length: n }, () => rec)]);
}

console.log(
  `wirelab capture benchmark — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model.trim()}`,
);
console.log("");
// Part 1
const n = 500_000;
const stream = syntheticStream(n);
let frames = 0;
let bytes = 0;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const reader = new PcapReader((r) => {
  const inner = decapsulate(r.linktype, r.data);
  if (typeof inner === "string") return;
  bytes += enhancedPacket(0, r.tsNs, inner.frame, "outbound").length;
  frames++;
});
for (let off = 0; off < stream.length; off += 65536) reader.push(stream.subarray(off, off + 65536));
const secs = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
console.log("| decapsulation (one core, in process) | frames/s | CPU per frame (µs) |");
console.log("|---|---:|---:|");
console.log(
  `| pcap reader → decapsulator → pcapng, ${n} frames (${(bytes / 1e6).toFixed(0)} MB out) | ${Math.round(frames / secs)} | ${((cpu.user + cpu.system) / frames).toFixed(2)} |`,
);
console.log("");

// Part 1b: several sources merged in timestamp order (the k-way merge), in process.
{
  const sources = 3;
  const total = 600_000;
  const frame = innerFrame(0);
  let out = 0;
  const merge = new TimeMerge(sources, (f) => {
    out += enhancedPacket(f.source, f.tsNs, frame, "inbound").length;
  });
  const base = BigInt(Date.now()) * 1_000_000n;
  const mcpu0 = process.cpuUsage();
  const mt0 = performance.now();
  // Interleaved as live sources come: each in its own order, 1 µs apart per source.
  for (let i = 0; i < total; i++)
    merge.push({
      source: i % sources,
      tsNs: base + BigInt(Math.floor(i / sources) * 1000 + (i % sources) * 7),
    });
  merge.drain();
  const msecs = (performance.now() - mt0) / 1000;
  const mcpu = process.cpuUsage(mcpu0);
  console.log(
    "| merge of several sources (one core, in process) | frames/s | CPU per frame (µs) |",
  );
  console.log("|---|---:|---:|");
  console.log(
    `| ${sources} sources → timestamp merge → pcapng, ${total} frames (${(out / 1e6).toFixed(0)} MB out) | ${Math.round(total / msecs)} | ${((mcpu.user + mcpu.system) / total).toFixed(2)} |`,
  );
  console.log("");
}

// Part 2
const dir = mkdtempSync(join(tmpdir(), "wirelab-capbench-"));
tearDownOnSignal(dir);
const env = { ...process.env, WIRELAB_STATE_DIR: join(dir, "state") };
const file = join(dir, "cap.yml");
writeFileSync(
  file,
  "name: wlbench-capture\ndefaults: { kind: vm }\nnodes: [r1, r2]\nlinks: [ r1-r2 ]\n",
);
const wl = (...args) => {
  const r = spawnSync(process.execPath, [cli, ...args], { env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`wirelab ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
};
try {
  wl("up", file);
  const state = JSON.parse(
    readFileSync(join(env.WIRELAB_STATE_DIR, "labs", "wlbench-capture", "state.json"), "utf8"),
  );
  const port = state.ports.udp["r1-r2:r2:eth1"];
  console.log(
    "| live capture of a UDP tunnel (`wirelab capture -w -`) | sent (at frames/s) | captured | lost | dropped by kernel | latency p50 (ms) | p99 (ms) | capture CPU per frame (µs) |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const [label, count, rate] of [
    ["100 frames/s", 500, 100],
    ["10,000 frames/s", 50_000, 10_000],
    ["50,000 frames/s", 200_000, 50_000],
    ["100,000 frames/s (sender's best)", 200_000, 100_000],
  ]) {
    const sentAt = new Float64Array(count).fill(-1);
    const latencies = [];
    const cap = spawn(
      process.execPath,
      [cli, "capture", "--lab", "wlbench-capture", "r2", "eth1", "-w", "-"],
      { env, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    cap.stderr.on("data", (d) => {
      stderr += d;
    });
    let buf = Buffer.alloc(0);
    cap.stdout.on("data", (d) => {
      const now = performance.now();
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      // pcapng blocks: type, length; EPB (6) carries our sequence number at frame offset 14.
      let off = 0;
      while (buf.length - off >= 8 && buf.length - off >= buf.readUInt32LE(off + 4)) {
        const len = buf.readUInt32LE(off + 4);
        if (buf.readUInt32LE(off) === 6 && buf.readUInt16BE(off + 28 + 12) === 0x88b5) {
          const seq = buf.readUInt32BE(off + 28 + 14);
          if (seq < count && sentAt[seq] >= 0) latencies.push(now - sentAt[seq]);
        }
        off += len;
      }
      buf = buf.subarray(off);
    });
    await new Promise((r) => setTimeout(r, 1500));
    const capCpu0 = cpuTicks(cap.pid);
    const sock = createSocket("udp4");
    // Paced in 1 ms batches: the sender sleeps between them instead of spinning a core.
    const t = performance.now();
    let seq = 0;
    while (seq < count) {
      const due = Math.min(count, Math.floor(((performance.now() - t) * rate) / 1000) + 1);
      for (; seq < due; seq++) {
        sentAt[seq] = performance.now();
        sock.send(innerFrame(seq), port, "127.0.0.1");
      }
      if (seq < count) await new Promise((r) => setTimeout(r, 1));
    }
    const achieved = Math.round((count * 1000) / (performance.now() - t));
    await new Promise((r) => setTimeout(r, 2000));
    const capCpu = cpuTicks(cap.pid) - capCpu0;
    sock.close();
    cap.kill("SIGINT");
    await new Promise((r) => cap.on("exit", r));
    const dropped = /(\d+) dropped by the kernel/.exec(stderr)?.[1] ?? "0";
    latencies.sort((a, b) => a - b);
    const q = (p) =>
      latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]?.toFixed(2) ??
      "-";
    console.log(
      `| ${label} | ${count} (${achieved}) | ${latencies.length} | ${count - latencies.length} | ${dropped} | ${q(0.5)} | ${q(0.99)} | ${((capCpu * 10_000) / Math.max(1, latencies.length)).toFixed(1)} |`,
    );
  }
} finally {
  spawnSync(process.execPath, [cli, "down", file], { env });
  rmSync(dir, { recursive: true, force: true });
}

// Part 3
const dir3 = mkdtempSync(join(tmpdir(), "wirelab-capbench-"));
tearDownOnSignal(dir3);
const env3 = { ...process.env, WIRELAB_STATE_DIR: join(dir3, "state") };
const file3 = join(dir3, "cap-ns.yml");
writeFileSync(file3, "name: wlbench-capns\nnodes: [n1, n2]\nlinks: [ n1-n2 ]\n");
// Sends COUNT datagrams to n2's discard port at RATE per second, paced in 1 ms batches;
// each carries its number and its send time (CLOCK_MONOTONIC, shared by every process).
const SENDER = `
const s = require("node:dgram").createSocket("udp4");
const [count, rate] = process.argv.slice(1).map(Number);
const t = performance.now();
let seq = 0;
(async () => {
  while (seq < count) {
    const due = Math.min(count, Math.floor(((performance.now() - t) * rate) / 1000) + 1);
    for (; seq < due; seq++) {
      const b = Buffer.alloc(56);
      b.writeUInt32BE(seq, 0);
      b.writeBigUInt64BE(process.hrtime.bigint(), 4);
      s.send(b, 9, "10.1.0.2");
    }
    if (seq < count) await new Promise((r) => setTimeout(r, 1));
  }
  setTimeout(() => s.close(), 100);
})();
`;
try {
  spawnSync(process.execPath, [cli, "up", file3], { env: env3 });
  console.log("");
  console.log(
    "| live capture of a namespace's vEth (`wirelab capture -w -`) | sent | captured | lost | dropped by kernel | latency p50 (ms) | p99 (ms) | capture CPU per frame (µs) |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const [label, count, rate] of [
    ["100 frames/s", 500, 100],
    ["10,000 frames/s", 50_000, 10_000],
    ["30,000 frames/s", 100_000, 30_000],
  ]) {
    const latencies = [];
    const cap = spawn(
      process.execPath,
      [cli, "capture", "--lab", "wlbench-capns", "n1", "eth1", "-w", "-", "udp", "port", "9"],
      { env: env3, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    cap.stderr.on("data", (d) => {
      stderr += d;
    });
    let buf = Buffer.alloc(0);
    cap.stdout.on("data", (d) => {
      const now = process.hrtime.bigint();
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      let off = 0;
      while (buf.length - off >= 8 && buf.length - off >= buf.readUInt32LE(off + 4)) {
        const len = buf.readUInt32LE(off + 4);
        // EPB (6): frame at 28; Ethernet 14 + IPv4 20 + UDP 8 = payload at 42.
        if (buf.readUInt32LE(off) === 6 && len >= 28 + 42 + 12) {
          const sent = buf.readBigUInt64BE(off + 28 + 42 + 4);
          latencies.push(Number(now - sent) / 1e6);
        }
        off += len;
      }
      buf = buf.subarray(off);
    });
    await new Promise((r) => setTimeout(r, 1500));
    const capCpu0 = cpuTicks(cap.pid);
    // Not spawnSync: this process must read the capture while the sender runs.
    const sender = spawn("ip", [
      "netns",
      "exec",
      "wl-wlbench-capns-n1",
      process.execPath,
      "-e",
      SENDER,
      String(count),
      String(rate),
    ]);
    await new Promise((r) => sender.on("exit", r));
    await new Promise((r) => setTimeout(r, 2000));
    const capCpu = cpuTicks(cap.pid) - capCpu0;
    cap.kill("SIGINT");
    await new Promise((r) => cap.on("exit", r));
    const dropped = /(\d+) dropped by the kernel/.exec(stderr)?.[1] ?? "0";
    latencies.sort((a, b) => a - b);
    const q = (p) =>
      latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]?.toFixed(2) ??
      "-";
    console.log(
      `| ${label} | ${count} | ${latencies.length} | ${count - latencies.length} | ${dropped} | ${q(0.5)} | ${q(0.99)} | ${((capCpu * 10_000) / Math.max(1, latencies.length)).toFixed(1)} |`,
    );
  }
} finally {
  spawnSync(process.execPath, [cli, "down", file3], { env: env3 });
  rmSync(dir3, { recursive: true, force: true });
}
