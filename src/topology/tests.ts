/**
 * Normalizes `validate:` into one {@link TopologyTest} per (from, target) pair.
 */
import type { Diagnostic } from "../errors.js";
import { parseAddress } from "../ip.js";
import { unknownNode } from "./links.js";
import type { TopologyInput } from "./schema.js";
import type { TopologyTest } from "./types.js";

/**
 * @param input - the shape-checked topology
 * @param nodes - known node names
 * @param diagnostics - problems are appended here
 */
export function normalizeTests(
  input: Partial<TopologyInput>,
  nodes: ReadonlySet<string>,
  diagnostics: Diagnostic[],
): TopologyTest[] {
  const raw = input.validate;
  if (!raw) return [];
  const entries = Array.isArray(raw)
    ? raw.map((t, i) => ({ t, name: t.name, path: ["validate", i] as (string | number)[] }))
    : Object.entries(raw).map(([name, t]) => ({
        t,
        name,
        path: ["validate", name] as (string | number)[],
      }));
  const tests: TopologyTest[] = [];
  for (const { t, name, path } of entries) {
    const froms = Array.isArray(t.from) ? t.from : [t.from];
    const targets = Array.isArray(t.ping) ? t.ping : [t.ping];
    let ok = true;
    froms.forEach((f, i) => {
      if (!nodes.has(f)) {
        diagnostics.push(
          unknownNode(f, nodes, Array.isArray(t.from) ? [...path, "from", i] : [...path, "from"]),
        );
        ok = false;
      }
    });
    targets.forEach((p, i) => {
      if (!nodes.has(p) && !parseAddress(p)) {
        diagnostics.push(
          unknownNode(
            p,
            nodes,
            Array.isArray(t.ping) ? [...path, "ping", i] : [...path, "ping"],
            "ping target is neither an address nor a node: ",
          ),
        );
        ok = false;
      }
    });
    if (!ok) continue;
    for (const from of froms) {
      for (const target of targets) {
        if (from === target) continue;
        tests.push({
          name: name ?? `${from} → ${target}`,
          from,
          ping: target,
          expect: t.expect ?? "success",
          path,
          ...(t.af !== undefined ? { af: t.af } : {}),
        });
      }
    }
  }
  return tests;
}
