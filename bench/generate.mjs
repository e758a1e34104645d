// Generates benchmark topologies: a chain of N nodes and a two-tier Clos of
// N nodes (4 spines, the rest leaves, every leaf to every spine: 4 links a
// leaf, so links grow linearly with nodes).
import { writeFileSync } from "node:fs";

/** @returns YAML text of a chain n1 - n2 - … - nN */
export function chain(n, { routing = false } = {}) {
  const lines = [`name: wlbench-chain${n}`, ...(routing ? ["routing: static"] : []), "nodes:"];
  for (let i = 1; i <= n; i++) lines.push(`  - n${i}`);
  lines.push("links:");
  for (let i = 1; i < n; i++) lines.push(`  - n${i}-n${i + 1}`);
  return `${lines.join("\n")}\n`;
}

/** @returns YAML text of a Clos with `n` nodes in all */
export function clos(n, { routing = false } = {}) {
  const spines = Math.min(4, Math.max(2, Math.floor(n / 3)));
  const leaves = n - spines;
  const lines = [
    `name: wlbench-clos${n}`,
    ...(routing ? ["routing: static"] : []),
    // A /31 per fabric link so thousands of links fit the p2p pool.
    "addressing: { p2p: { ipv4: 10.64.0.0/12, prefix: 31 } }",
    "nodes:",
  ];
  for (let s = 1; s <= spines; s++) lines.push(`  - s${s}`);
  for (let l = 1; l <= leaves; l++) lines.push(`  - l${l}`);
  lines.push("links:");
  for (let l = 1; l <= leaves; l++) for (let s = 1; s <= spines; s++) lines.push(`  - s${s}-l${l}`);
  return `${lines.join("\n")}\n`;
}

export function write(path, text) {
  writeFileSync(path, text);
  return path;
}
