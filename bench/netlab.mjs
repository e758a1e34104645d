#!/usr/bin/env node
// netlab topologies with routing modules, N = 20 FRR routers in namespaces
// (BENCH_ROUTERS): wirelab generates every frr.conf from the modules and
// runs the topology's own netlab tests. Two labs: an OSPF ring, and an AS
// of IBGP clients of two route reflectors over that ring's OSPF. Figures:
// `up`; the first `validate` right after up (which waits for the
// protocols: its adjacency and session tests retry until they pass); the
// part of it spent waiting for the first test (adjacencies or sessions); and
// a second `validate` of the converged lab, which is what the checks
// themselves cost. Needs root and Debian's frr.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { tearDownOnSignal } from "./lib.mjs";

const N = Number(process.env.BENCH_ROUTERS ?? 20);
const dir = mkdtempSync(join(tmpdir(), "wirelab-netlabbench-"));
tearDownOnSignal(dir);
const env = { ...process.env, WIRELAB_STATE_DIR: join(dir, "state") };
const cli = join(import.meta.dirname, "..", "dist", "cli", "bin.js");

const ring = () => Array.from({ length: N }, (_, i) => `- r${i}-r${(i + 1) % N}`);
const routers = () => Array.from({ length: N }, (_, i) => `r${i}`);

/** An OSPF ring: every router checks its next one's adjacency, r0 the farthest loopback. */
function ospfLab(lab) {
  return [
    `name: ${lab}`,
    "provider: clab",
    "module: [ospf]",
    "defaults.device: frr",
    "ospf.timers.hello: 1",
    `nodes: [${routers().join(", ")}]`,
    "links:",
    ...ring(),
    "validate:",
    "  adj:",
    "    description: every router is Full with the next one",
    "    wait: 60",
    `    nodes: [${routers().join(", ")}]`,
    `    plugin: ospf_neighbor(nodes['r' + str((int(node.id)) % ${N})].ospf.router_id)`,
    "  far:",
    "    description: r0 has the farthest loopback",
    "    wait: 30",
    "    nodes: [r0]",
    `    plugin: ospf_prefix(nodes.r${N >> 1}.loopback.ipv4)`,
  ].join("\n");
}

/** IBGP over the ring's OSPF: r0 and r1 reflect, every other router is their client. */
function bgpLab(lab) {
  const clients = routers().slice(2);
  return [
    `name: ${lab}`,
    "provider: clab",
    "module: [ospf, bgp]",
    "defaults.device: frr",
    "bgp.as: 65000",
    "bgp.rr_list: [r0, r1]",
    "ospf.timers.hello: 1",
    `nodes: [${routers().join(", ")}]`,
    "links:",
    ...ring(),
    "validate:",
    "  ibgp:",
    "    description: every client has its session with r0",
    "    wait: 60",
    `    nodes: [${clients.join(", ")}]`,
    "    plugin: bgp_neighbor(node.bgp.neighbors, 'r0')",
    "  reflected:",
    `    description: r${N - 1} has r2's loopback, reflected`,
    "    wait: 30",
    `    nodes: [r${N - 1}]`,
    "    plugin: bgp_prefix(nodes.r2.loopback.ipv4, nh=nodes.r2.loopback.ipv4)",
  ].join("\n");
}

const run = (args) => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, ...args], {
    env,
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  return { ...r, s: (performance.now() - t0) / 1000 };
};

const frrVersion = execFileSync("dpkg-query", ["-W", "frr"], { encoding: "utf8" })
  .trim()
  .split("\t")[1];
console.log(
  `wirelab netlab benchmark — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model.trim()}, ${execFileSync("uname", ["-r"], { encoding: "utf8" }).trim()}, Node ${process.version}, FRR ${frrVersion}`,
);
console.log("");
console.log(
  `| ${N} FRR routers, netlab modules | plan (s) | up (s) | first validate (s) | of which the first test waited (s) | validate, converged (s) | tests | down (s) |`,
);
console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
const labs = [
  ["OSPF ring (hello 1 s)", "wlbench-nlospf", ospfLab],
  ["IBGP, 2 route reflectors, OSPF ring", "wlbench-nlbgp", bgpLab],
];
try {
  for (const [label, lab, make] of labs) {
    const file = join(dir, `${lab}.yml`);
    writeFileSync(file, `${make(lab)}\n`);
    const plan = run(["plan", "--json", file]);
    if (plan.status !== 0) throw new Error(`plan failed: ${plan.stderr}`);
    const up = run(["up", file]);
    if (up.status !== 0) throw new Error(`up failed: ${up.stderr}`);
    const first = run(["validate", "--json", file]);
    const r1 = JSON.parse(first.stdout);
    if (first.status !== 0) throw new Error(`validate failed: ${first.stdout.slice(0, 2000)}`);
    const second = run(["validate", "--json", file]);
    if (second.status !== 0) throw new Error(`second validate failed`);
    const waited = r1.checks[0].durationMs / 1000;
    const down = run(["down", file]);
    if (down.status !== 0) throw new Error(`down failed: ${down.stderr}`);
    console.log(
      `| ${label} | ${plan.s.toFixed(2)} | ${up.s.toFixed(2)} | ${first.s.toFixed(1)} | ${waited.toFixed(1)} | ${second.s.toFixed(2)} | ${r1.checks.length} (${r1.checks.reduce((n, c) => n + c.nodes.length, 0)} node checks) | ${down.s.toFixed(2)} |`,
    );
  }
} finally {
  for (const [, lab] of labs) spawnSync(process.execPath, [cli, "down", "--lab", lab], { env });
  rmSync(dir, { recursive: true, force: true });
}
