#!/usr/bin/env node
// Times `wirelab up` and `wirelab down` (the real CLI, as a user runs it) on
// generated namespace labs: chains and Clos fabrics of 10, 100 and 300
// nodes, plus routed labs (`routing: static`). Prints a markdown table:
// median wall time of 3 runs, nodes per second, and the CLI's peak RSS
// (GNU time's %M). Needs root, iproute2 and GNU time (Debian package `time`).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { chain, clos, write } from "./generate.mjs";
import { tearDownOnSignal } from "./lib.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const dir = mkdtempSync(join(tmpdir(), "wirelab-bench-"));
tearDownOnSignal(dir);
const env = { ...process.env, WIRELAB_STATE_DIR: join(dir, "state") };
const cli = join(import.meta.dirname, "..", "dist", "cli", "bin.js");

function timed(args) {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %M", process.execPath, cli, ...args], {
    env,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`wirelab ${args.join(" ")} failed:\n${r.stdout}${r.stderr}`);
  const [secs, kb] = r.stderr.trim().split("\n").pop().split(" ").map(Number);
  return { secs, rssMiB: kb / 1024 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const cases = [];
for (const n of [10, 100, 300]) {
  cases.push({ name: `chain ${n}`, nodes: n, links: n - 1, text: chain(n) });
  const spines = Math.min(4, Math.max(2, Math.floor(n / 3)));
  cases.push({ name: `Clos ${n}`, nodes: n, links: spines * (n - spines), text: clos(n) });
}
const leafSpine = readFileSync(
  join(import.meta.dirname, "..", "examples", "leaf-spine.yml"),
  "utf8",
).replace(/^name:.*$/m, "name: wlbench-leafspine");
cases.push({ name: "leaf-spine example, routing: static", nodes: 36, links: 80, text: leafSpine });
cases.push({
  name: "chain 100, routing: static",
  nodes: 100,
  links: 99,
  text: chain(100, { routing: true }),
});

console.log(
  `wirelab namespace lab benchmark — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model.trim()}, ${execFileSync("uname", ["-r"], { encoding: "utf8" }).trim()}, Node ${process.version}, median of ${RUNS}`,
);
console.log("");
console.log(
  "| lab | nodes | links | up (s) | up nodes/s | down (s) | down nodes/s | peak RSS up (MiB) |",
);
console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
try {
  for (const c of cases) {
    const file = write(join(dir, `${c.name.replace(/[^a-z0-9]+/gi, "-")}.yml`), c.text);
    const ups = [];
    const downs = [];
    const rss = [];
    for (let i = 0; i < RUNS; i++) {
      const u = timed(["up", file]);
      ups.push(u.secs);
      rss.push(u.rssMiB);
      downs.push(timed(["down", file]).secs);
    }
    const up = median(ups);
    const down = median(downs);
    console.log(
      `| ${c.name} | ${c.nodes} | ${c.links} | ${up.toFixed(2)} | ${Math.round(c.nodes / up)} | ${down.toFixed(2)} | ${Math.round(c.nodes / down)} | ${median(rss).toFixed(0)} |`,
    );
  }
} finally {
  // Leave nothing behind, whatever failed.
  const state = join(dir, "state", "labs");
  for (const lab of (() => {
    try {
      return execFileSync("ls", [state], { encoding: "utf8" }).split("\n").filter(Boolean);
    } catch {
      return [];
    }
  })()) {
    spawnSync(process.execPath, [cli, "down", "--lab", lab], { env });
  }
  rmSync(dir, { recursive: true, force: true });
}
