#!/usr/bin/env node
// Fails when a module imports from a higher layer of the pipeline, or from
// another folder of its own layer (docs/design.md, "Layers"):
//
//   0 root modules (errors, exec, process, ip, impairment, …)
//   1 topology, wire (the daemon program), image
//   2 plan
//   3 providers
//   4 lab
//   5 capture, validate, export, graph (verbs)
//   6 index.ts (the library's API)
//   7 cli (which imports only index.ts and its own files)
//
// The import graph comes from madge, which also finds cycles (npm run lint).
// Usage: node scripts/check-layers.mjs [SRC_DIR]   (default: this repository's src/)
import { relative } from "node:path";
import madge from "madge";

const RANKS = {
  topology: 1,
  wire: 1,
  image: 1,
  plan: 2,
  providers: 3,
  lab: 4,
  capture: 5,
  validate: 5,
  export: 5,
  graph: 5,
  cli: 7,
};

/** Layer and folder of a module path relative to src/. */
function layer(file) {
  if (file === "index.ts") return { rank: 6, folder: "index" };
  const folder = file.includes("/") ? file.split("/")[0] : "";
  if (folder === "") return { rank: 0, folder: "" };
  const rank = RANKS[folder];
  if (rank === undefined)
    throw new Error(
      `src/${file}: folder "${folder}" has no layer; add it to scripts/check-layers.mjs`,
    );
  return { rank, folder };
}

const src = process.argv[2] ?? new URL("../src/", import.meta.url).pathname;
const graph = (
  await madge(src, { fileExtensions: ["ts"], detectiveOptions: { ts: { skipTypeImports: false } } })
).obj();
const problems = [];
for (const [file, deps] of Object.entries(graph)) {
  const from = layer(file);
  for (const dep of deps) {
    const to = layer(dep);
    if (from.folder === "cli" && to.folder !== "cli" && dep !== "index.ts")
      problems.push(
        `src/${file} imports src/${dep}: the CLI imports only src/index.ts and its own files`,
      );
    else if (to.rank > from.rank)
      problems.push(
        `src/${file} (layer ${from.rank}) imports src/${dep} (layer ${to.rank}): imports point down only`,
      );
    else if (to.rank === from.rank && to.folder !== from.folder)
      problems.push(
        `src/${file} imports src/${dep}: two folders of one layer do not import each other`,
      );
  }
}
if (problems.length) {
  for (const p of problems) console.error(p);
  console.error(`${problems.length} import${problems.length === 1 ? "" : "s"} against the layers`);
  process.exit(1);
}
console.log(
  `layers: ${Object.keys(graph).length} modules, every import points down (${relative(process.cwd(), src)})`,
);
