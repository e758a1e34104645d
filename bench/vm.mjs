#!/usr/bin/env node
// VM benchmark: time from `wirelab up` to every VM answering its command
// channel for chains of 2, 7 and 16 VMs (UDP tunnels), booted and restored
// from snapshots in the same run, with the host RSS and PSS of each QEMU;
// the cost of making a snapshot once per shape; the seven-VM example up and
// validated both ways; and iperf3 throughput between two VMs, booted and restored, over each
// VM↔VM transport (QEMU UDP tunnel, tap + tc mirred). Needs root, QEMU and
// the guest image (wirelab image build). Prints markdown tables.
import { spawnSync } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { tearDownOnSignal } from "./lib.mjs";

const dir = mkdtempSync(join(tmpdir(), "wirelab-vmbench-"));
tearDownOnSignal(dir);
// An image folder of the bench's own (the image's files linked): its snapshots are made here, timed.
const imageDir = join(dir, "image");
mkdirSync(imageDir);
const realImage = process.env.WIRELAB_IMAGE_DIR ?? "/var/cache/wirelab/image";
for (const f of ["vmlinuz", "initrd.gz", "tools.img", "manifest.json"])
  symlinkSync(join(realImage, f), join(imageDir, f));
const env = { ...process.env, WIRELAB_STATE_DIR: join(dir, "state"), WIRELAB_IMAGE_DIR: imageDir };
const cli = join(import.meta.dirname, "..", "dist", "cli", "bin.js");

function wirelab(...args) {
  return wirelabWith({}, ...args);
}

function wirelabWith(extra, ...args) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    env: { ...env, ...extra },
    encoding: "utf8",
  });
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

/** RSS and PSS of each QEMU of a lab, in MiB (/proc/PID/smaps_rollup). */
function memoryMiB(lab) {
  const vmDir = join(env.WIRELAB_STATE_DIR, "labs", lab, "vm");
  return readdirSync(vmDir)
    .filter((f) => f.endsWith(".pid"))
    .map((f) => {
      const pid = readFileSync(join(vmDir, f), "utf8").trim();
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
      const kib = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(rollup)?.[1] ?? 0);
      return { rss: kib("Rss") / 1024, pss: kib("Pss") / 1024 };
    });
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

function timed(fn) {
  const t = performance.now();
  fn();
  return (performance.now() - t) / 1000;
}

const labs = [];
try {
  console.log(
    `wirelab VM benchmark — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model.trim()}, QEMU under ${process.env.WIRELAB_ACCEL ?? "the probed accelerator"}`,
  );
  console.log("");
  // The snapshots of the chains' shapes (1 and 2 NICs), made once, timed.
  const warm = chainOfVms("wlbench-vmwarm", 3);
  labs.push(warm);
  const made = timed(() => wirelab("up", warm));
  wirelab("down", warm);
  const shapes = readdirSync(join(imageDir, "snapshots"))
    .filter((n) => /^[0-9a-f]+$/.test(n))
    .map((n) => JSON.parse(readFileSync(join(imageDir, "snapshots", n, "shape.json"), "utf8")));
  console.log("| snapshot of shape | made in (s) | RAM file on disk (MiB) | state (MB) |");
  console.log("|---|---:|---:|---:|");
  for (const s of shapes)
    console.log(
      `| ${s.shape.memoryMiB} MiB, ${s.shape.cpus} CPU, ${s.shape.nics} NIC${s.shape.nics === 1 ? "" : "s"} | ${(s.buildMs / 1000).toFixed(1)} | ${(s.ramBytes / 2 ** 20).toFixed(0)} | ${(s.stateBytes / 1e6).toFixed(2)} |`,
    );
  console.log(`\n(a 3-VM lab's first up, both made in parallel: ${made.toFixed(1)} s)\n`);
  console.log(
    "| VMs | start | up until every agent answers (s) | s per VM | QEMU RSS mean / max (MiB) | QEMU PSS mean (MiB) |",
  );
  console.log("|---:|---|---:|---:|---:|---:|");
  for (const n of [2, 7, 16]) {
    for (const start of ["boot", "snapshot"]) {
      const lab = `wlbench-vm${n}`;
      const file = chainOfVms(lab, n);
      labs.push(file);
      const secs = timed(() => wirelabWith({ WIRELAB_VM_START: start }, "up", file));
      await new Promise((r) => setTimeout(r, 2000));
      const mem = memoryMiB(lab);
      const rss = mem.map((m) => m.rss);
      console.log(
        `| ${n} | ${start} | ${secs.toFixed(1)} | ${(secs / n).toFixed(2)} | ${mean(rss).toFixed(0)} / ${Math.max(...rss).toFixed(0)} | ${mean(mem.map((m) => m.pss)).toFixed(0)} |`,
      );
      wirelab("down", file);
    }
  }
  console.log("");
  console.log(
    "| examples/six-routers-vm.yml (7 VMs) | up (s) | validate (s) | up + validate (s) |",
  );
  console.log("|---|---:|---:|---:|");
  const example = join(dir, "six-routers-vm.yml");
  writeFileSync(
    example,
    readFileSync(join(import.meta.dirname, "..", "examples", "six-routers-vm.yml"), "utf8").replace(
      /^name:.*$/m,
      "name: wlbench-vm7ex",
    ),
  );
  labs.push(example);
  // Its snapshots (shapes of 1 to 4 NICs) first, untimed: the figures are a lab's up once they exist.
  wirelabWith({ WIRELAB_VM_START: "snapshot" }, "up", example);
  wirelab("down", example);
  for (const start of ["boot", "snapshot"]) {
    const up = timed(() => wirelabWith({ WIRELAB_VM_START: start }, "up", example));
    const validate = timed(() => wirelab("validate", example));
    console.log(
      `| ${start} | ${up.toFixed(1)} | ${validate.toFixed(1)} | ${(up + validate).toFixed(1)} |`,
    );
    wirelab("down", example);
  }
  console.log("");
  console.log("| VM↔VM transport | start | iperf3 TCP, 5 s (Mbit/s) | retransmits |");
  console.log("|---|---|---:|---:|");
  for (const transport of ["udp", "tap"]) {
    const lab = `wlbench-${transport}`;
    const file = chainOfVms(lab, 2, transport);
    labs.push(file);
    for (const start of ["boot", "snapshot"]) {
      wirelabWith({ WIRELAB_VM_START: start }, "up", file);
      wirelab("exec", "--lab", lab, "v2", "--", "iperf3", "-s", "-D", "-1");
      await new Promise((r) => setTimeout(r, 500));
      const out = JSON.parse(
        wirelab("exec", "--lab", lab, "v1", "--", "iperf3", "-c", "10.1.0.2", "-t", "5", "-J"),
      );
      const end = out.end.sum_received;
      console.log(
        `| ${transport === "udp" ? "QEMU UDP tunnel" : "tap + tc mirred"} | ${start} | ${(end.bits_per_second / 1e6).toFixed(0)} | ${out.end.sum_sent.retransmits ?? 0} |`,
      );
      wirelab("down", file);
    }
  }
} finally {
  for (const file of labs) spawnSync(process.execPath, [cli, "down", file], { env });
  rmSync(dir, { recursive: true, force: true });
}
