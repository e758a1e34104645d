/**
 * Whatever a topology file contains, loading, planning and importing it
 * either succeed or say what is wrong (a TopologyError or another
 * WirelabError): never an internal error. Every value of every example and
 * fixture (wirelab, netlab, containerlab) is replaced in turn by values of
 * every other type, and every key is removed.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { WirelabError } from "../../src/errors.js";
import { importTopology } from "../../src/export/import.js";
import { planText } from "../../src/plan/load-plan.js";

const FILES = [
  ...readdirSync("examples")
    .filter((f) => f.endsWith(".yml"))
    .map((f) => join("examples", f)),
  ...["test/fixtures", "test/fixtures/netlab", "test/fixtures/netlab/config"].flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith(".yml"))
      .map((f) => join(dir, f)),
  ),
];

/** Values of every YAML type, and some a parser might trip on. */
const REPLACEMENTS: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  "",
  "x",
  "_auto_create",
  [],
  ["x"],
  [null],
  {},
  { x: 1 },
  { members: "x" },
];

type Path = (string | number)[];

/** Every path to a value in the document. */
function paths(v: unknown, at: Path = []): Path[] {
  const out: Path[] = [];
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) out.push([...at, i], ...paths(x, [...at, i]));
  } else if (v && typeof v === "object")
    for (const [k, x] of Object.entries(v)) out.push([...at, k], ...paths(x, [...at, k]));
  return out;
}

/** A copy of the document with the value at `path` replaced (or removed when `value` is `REMOVE`). */
const REMOVE = Symbol("remove");
function mutate(doc: unknown, path: Path, value: unknown): unknown {
  const copy = structuredClone(doc);
  let parent = copy as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const last = path.at(-1) as string | number;
  if (value !== REMOVE) parent[last] = value;
  else if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete parent[last];
  return copy;
}

/** Runs what a user's file goes through; returns the unexpected error, if any. */
function unexpected(text: string, file: string): unknown {
  for (const step of [() => planText(text, file), () => importTopology(text, file)]) {
    try {
      step();
    } catch (e) {
      if (!(e instanceof WirelabError)) return e;
    }
  }
  return undefined;
}

describe("no topology crashes wirelab", () => {
  for (const file of FILES) {
    it(`every value of ${file} replaced by every type, every key removed`, async () => {
      const doc = parse(readFileSync(file, "utf8")) as unknown;
      const all = paths(doc);
      // Large examples: every top-level key, then an even spread of the rest (60 paths at most).
      const step = Math.ceil(all.length / 60);
      const chosen = all.filter((p, i) => p.length === 1 || i % step === 0);
      const crashes: string[] = [];
      for (const path of chosen) {
        // The file takes a minute in all: let vitest's worker messages through between paths.
        await new Promise((resolve) => setImmediate(resolve));
        for (const value of [...REPLACEMENTS, REMOVE]) {
          const text = stringify(mutate(doc, path, value));
          const e = unexpected(text, file);
          if (e)
            crashes.push(
              `${path.join(".")} = ${value === REMOVE ? "(removed)" : JSON.stringify(value)}: ${(e as Error).stack?.split("\n").slice(0, 3).join(" | ")}`,
            );
        }
      }
      expect(crashes.slice(0, 10)).toEqual([]);
    }, 60_000);
  }
});
