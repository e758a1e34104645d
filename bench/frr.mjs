#!/usr/bin/env node
// An OSPF ring of FRR routers in namespaces (`device: frr`), N = 50 by
// default (BENCH_ROUTERS): `wirelab up` time, the time from up's return
// until every router has an OSPF route to every other router's loopback
// (convergence), FRR's RSS per router (the sum of its daemons' VmRSS), and
// the CPU all routers' daemons use at rest (after convergence, over 10 s).
// Once with FRR's default OSPF timers (hello 10 s, dead 40 s) and once with
// fast hellos (1 s / 4 s), so that what OSPF's timers cost is visible. Needs
// root and Debian's frr.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { tearDownOnSignal } from "./lib.mjs";

const N = Number(process.env.BENCH_ROUTERS ?? 50);
const dir = mkdtempSync(join(tmpdir(), "wirelab-frrbench-"));
tearDownOnSignal(dir);
const env = { ...process.env, WIRELAB_STATE_DIR: join(dir, "state") };
const cli = join(import.meta.dirname, "..", "dist", "cli", "bin.js");
const TICK = 100; // USER_HZ: /proc/PID/stat times are in 1/100 s

/** The ring's topology and one frr.conf per router (eth1 towards the next router, eth2 the previous). */
function ring(lab, fast) {
  const nodes = [];
  const links = [];
  for (let i = 0; i < N; i++) {
    const name = `r${i}`;
    mkdirSync(join(dir, lab), { recursive: true });
    const timers = fast ? " ip ospf hello-interval 1\n ip ospf dead-interval 4\n" : "";
    writeFileSync(
      join(dir, lab, `${name}.conf`),
      `hostname ${name}\n` +
        ["eth1", "eth2"]
          .map((e) => `interface ${e}\n ip ospf network point-to-point\n${timers}!\n`)
          .join("") +
        `router ospf\n ospf router-id 10.255.${i >> 8}.${i & 255}\n passive-interface lo\n network 10.0.0.0/8 area 0\n!\n`,
    );
    nodes.push(
      `  ${name}: { device: frr, config: ${lab}/${name}.conf, loopback: 10.255.${i >> 8}.${i & 255} }`,
    );
    links.push(`  - r${i}-r${(i + 1) % N}`);
  }
  const file = join(dir, `${lab}.yml`);
  writeFileSync(
    file,
    `name: ${lab}\nrouting: none\nnodes:\n${nodes.join("\n")}\nlinks:\n${links.join("\n")}\n`,
  );
  return file;
}

/** How many routers have OSPF routes to all N - 1 other loopbacks (read from each namespace's table). */
function convergedCount(lab) {
  let done = 0;
  for (let i = 0; i < N; i++) {
    const out = execFileSync(
      "ip",
      ["-n", `wl-${lab}-r${i}`, "-json", "route", "show", "proto", "ospf"],
      {
        encoding: "utf8",
      },
    );
    const loopbacks = JSON.parse(out || "[]").filter((r) => r.dst.startsWith("10.255.")).length;
    if (loopbacks >= N - 1) done++;
  }
  return done;
}

/** PIDs of every router's daemons, by router, from their pid files in the lab's folder. */
function daemonPids(lab) {
  const routers = join(env.WIRELAB_STATE_DIR, "labs", lab, "routers");
  return readdirSync(routers).map((r) =>
    readdirSync(join(routers, r, "run"))
      .filter((f) => f.endsWith(".pid"))
      .map((f) => Number(readFileSync(join(routers, r, "run", f), "utf8"))),
  );
}

const rssKiB = (pid) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
const cpuTicks = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return Number(f[11]) + Number(f[12]);
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// `dpkg-query -W frr` prints "frr<TAB>VERSION".
const frrVersion = execFileSync("dpkg-query", ["-W", "frr"], { encoding: "utf8" })
  .trim()
  .split("\t")[1];
console.log(
  `wirelab FRR benchmark — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model.trim()}, ${execFileSync("uname", ["-r"], { encoding: "utf8" }).trim()}, Node ${process.version}, FRR ${frrVersion}`,
);
console.log("");
console.log(
  `| OSPF ring of ${N} FRR routers in namespaces | up (s) | convergence after up (s) | FRR RSS per router, median (MiB) | max (MiB) | daemons' CPU at rest (% of one core) | down (s) |`,
);
console.log("|---|---:|---:|---:|---:|---:|---:|");
try {
  for (const [label, fast] of [
    ["FRR's default timers (hello 10 s, dead 40 s)", false],
    ["fast hellos (1 s, dead 4 s)", true],
  ]) {
    const lab = `wlbench-frr${fast ? "f" : "d"}`;
    const file = ring(lab, fast);
    const t0 = performance.now();
    const up = spawnSync(process.execPath, [cli, "up", file], { env, encoding: "utf8" });
    const upS = (performance.now() - t0) / 1000;
    if (up.status !== 0) throw new Error(`up failed: ${up.stderr}`);
    const t1 = performance.now();
    while (convergedCount(lab) < N) {
      if (performance.now() - t1 > 300_000) throw new Error("no convergence within 300 s");
      await new Promise((r) => setTimeout(r, 200));
    }
    const convergedS = (performance.now() - t1) / 1000;
    const pids = daemonPids(lab);
    const perRouter = pids.map((list) => list.reduce((s, p) => s + rssKiB(p), 0) / 1024);
    const all = pids.flat();
    const c0 = all.reduce((s, p) => s + cpuTicks(p), 0);
    await new Promise((r) => setTimeout(r, 10_000));
    const c1 = all.reduce((s, p) => s + cpuTicks(p), 0);
    const cpuPct = ((c1 - c0) / TICK / 10) * 100;
    const t2 = performance.now();
    const down = spawnSync(process.execPath, [cli, "down", file], { env, encoding: "utf8" });
    if (down.status !== 0) throw new Error(`down failed: ${down.stderr}`);
    const downS = (performance.now() - t2) / 1000;
    console.log(
      `| ${label} | ${upS.toFixed(2)} | ${convergedS.toFixed(1)} | ${median(perRouter).toFixed(1)} | ${Math.max(...perRouter).toFixed(1)} | ${cpuPct.toFixed(1)} | ${downS.toFixed(2)} |`,
    );
  }
} finally {
  for (const lab of ["wlbench-frrd", "wlbench-frrf"])
    spawnSync(process.execPath, [cli, "down", "--lab", lab], { env });
  rmSync(dir, { recursive: true, force: true });
}
