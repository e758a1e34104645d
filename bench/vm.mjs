#!/usr/bin/env node
// VM benchmark: time from `wirelab up` to every VM answering its command
// channel for chains of 2, 4, 7 and 16 VMs (UDP tunnels), the host RSS of
// each QEMU, and iperf3 throughput between two VMs over each VM↔VM
// transport (QEMU UDP tunnel, tap + tc mirred). Needs root, QEMU and the
// guest image (wirelab image build). Prints markdown tables.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { tearDownOnSignal } from "./lib.mjs";

const dir = mkdtempSync(join(tmpdir(), "wirelab-vmbench-"));
tearDownOnSignal(dir);
const env = { ...process.env, WIRELAB_STATE_DIR: join(dir, "state") };
const cli = join(import.meta.dirname, "..", "dist", "cli", "bin.js");

function wirelab(...args) {
  const r = spawnSync(process.execPath, [cli, ...args], { env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`wirelab ${args.join(" ")} failed:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

function chainOfVms(name, n, transport) {
  const nodes = Array.from({ length: n }, (_, i) => `  v${i + 1}: {}`);
  const links = Array.from(
    { length: n - 1 },
    (_, i) => `  - { v${i + 1}: {}, v${i + 2}: {}${transport ? `, transport: ${transport}` : ""} }`,
  );
  const file = join(dir, `${name}.yml`);
  writeFileSync(
    file,
    `name: ${name}\ndefaults: { kind: vm }\nnodes:\n${nodes.join("\n")}\nlinks:\n${links.join("\n")}\n`,
  );
  return file;
}

function rssMiB(lab) {
  const vmDir = join(env.WIRELAB_STATE_DIR, "labs", lab, "vm");
  return readdirSync(vmDir)
    .filter((f) => f.endsWith(".pid"))
    .map((f) => {
      const pid = readFileSync(join(vmDir, f), "utf8").trim();
      return (
        Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024
      );
    });
}

const labs = [];
try {
  console.log(
    `wirelab VM benchmark — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model.trim()}, QEMU under ${process.env.WIRELAB_ACCEL ?? "the probed accelerator"}`,
  );
  console.log("");
  console.log("| VMs | up until every agent answers (s) | s per VM | QEMU RSS mean / max (MiB) |");
  console.log("|---:|---:|---:|---:|");
  for (const n of [2, 4, 7, 16]) {
    const lab = `wlbench-vm${n}`;
    const file = chainOfVms(lab, n);
    labs.push(file);
    const t = performance.now();
    wirelab("up", file);
    const secs = (performance.now() - t) / 1000;
    await new Promise((r) => setTimeout(r, 2000));
    const rss = rssMiB(lab);
    console.log(
      `| ${n} | ${secs.toFixed(1)} | ${(secs / n).toFixed(2)} | ${(rss.reduce((a, b) => a + b, 0) / rss.length).toFixed(0)} / ${Math.max(...rss).toFixed(0)} |`,
    );
    wirelab("down", file);
  }
  console.log("");
  console.log("| VM↔VM transport | iperf3 TCP, 5 s (Mbit/s) | retransmits |");
  console.log("|---|---:|---:|");
  for (const transport of ["udp", "tap"]) {
    const lab = `wlbench-${transport}`;
    const file = chainOfVms(lab, 2, transport);
    labs.push(file);
    wirelab("up", file);
    wirelab("exec", "--lab", lab, "v2", "--", "iperf3", "-s", "-D", "-1");
    await new Promise((r) => setTimeout(r, 500));
    const out = JSON.parse(
      wirelab("exec", "--lab", lab, "v1", "--", "iperf3", "-c", "10.1.0.2", "-t", "5", "-J"),
    );
    const end = out.end.sum_received;
    console.log(
      `| ${transport === "udp" ? "QEMU UDP tunnel" : "tap + tc mirred"} | ${(end.bits_per_second / 1e6).toFixed(0)} | ${out.end.sum_sent.retransmits ?? 0} |`,
    );
    wirelab("down", file);
  }
} finally {
  for (const file of labs) spawnSync(process.execPath, [cli, "down", file], { env });
  rmSync(dir, { recursive: true, force: true });
}
