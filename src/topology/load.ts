/**
 * Loading a topology: YAML text → validated {@link Topology}, with every
 * problem reported at once as a located {@link Diagnostic}.
 */
import { basename, dirname } from "node:path";
import { type Diagnostic, TopologyError } from "../errors.js";
import { resolveAddressing } from "./addressing.js";
import { checkTopology } from "./checks.js";
import { fromClab, isClabTopology } from "./clab.js";
import { normalizeLinks } from "./links.js";
import { labNameFromPath } from "./name.js";
import { fromNetlab, isNetlabTopology } from "./netlab.js";
import { normalizeNodes } from "./nodes.js";
import { readTopologyText } from "./read.js";
import { labNameSchema } from "./schema.js";
import { parseSections } from "./sections.js";
import { locate, parseSource, type TopologySource } from "./source.js";
import { normalizeTests } from "./tests.js";
import type { Topology } from "./types.js";

/** A loaded topology with the source it came from (for locating later diagnostics). */
export interface LoadedTopology {
  readonly topology: Topology;
  readonly source: TopologySource;
  /** What the user should know of how another tool's file was read (not problems). */
  readonly notes: readonly string[];
}

/**
 * Reads and validates a topology file.
 *
 * @param file - path to the YAML file
 * @returns the topology and its source
 * @throws {TopologyError} listing every problem found (exit code 2)
 * @throws {TopologyError} when the file cannot be read (missing, a folder, too large)
 */
export async function loadTopologyFile(file: string): Promise<LoadedTopology> {
  const text = await readTopologyText(file);
  return parseTopology(text, file);
}

/**
 * Validates topology text.
 *
 * @param text - YAML
 * @param file - name used in messages and for the default lab name (its stem)
 * @throws {TopologyError} listing every problem found
 */
export function parseTopology(text: string, file = "topology.yml"): LoadedTopology {
  const r = parseTopologyPartial(text, file);
  if (r.problems.length > 0) throw located(r.source, r.problems);
  return { topology: r.topology as Topology, source: r.source, notes: r.notes };
}

/**
 * Validates topology text without throwing: the parts that are valid make up
 * `topology` (undefined after a YAML syntax error), and `problems` lists
 * every problem (not yet located).
 */
export function parseTopologyPartial(
  text: string,
  file = "topology.yml",
): { topology?: Topology; source: TopologySource; problems: Diagnostic[]; notes: string[] } {
  const parsed = parseSource(text, file);
  if (parsed.diagnostics.length > 0)
    return { source: parsed.source, problems: parsed.diagnostics, notes: [] };
  let source = parsed.source;
  const raw: unknown = source.data ?? {};
  const problems: Diagnostic[] = [];
  // A containerlab file is turned into a wirelab topology; its problems point back into it.
  const clab = isClabTopology(raw)
    ? fromClab(raw as Record<string, unknown>, problems, dirname(file))
    : undefined;
  // Later problems (the planner's, a failed exec line) are located through the same way back.
  if (clab) source = { ...source, mapPath: clab.mapPath };
  // A netlab file's own keys (provider, groups, device, module) are mapped in place.
  const data: unknown = clab
    ? clab.data
    : isNetlabTopology(raw)
      ? fromNetlab(raw as Record<string, unknown>, problems)
      : raw;
  const translated = problems.length;
  const input = parseSections(data, problems);
  const name = input.name ?? defaultLabName(file, problems);
  const addressing = resolveAddressing(input.addressing, problems);
  const nodes = normalizeNodes(input, problems, dirname(file));
  const nodeNames = new Set(nodes.map((n) => n.name));
  const links = normalizeLinks(input.links ?? [], nodeNames, problems);
  const tests = normalizeTests(input, nodeNames, problems);
  checkTopology(links, problems);
  const topology: Topology = {
    name,
    file,
    routing: input.routing ?? "none",
    addressing,
    nodes,
    links,
    tests,
  };
  if (clab) {
    for (let i = translated; i < problems.length; i++) {
      const d = problems[i] as Diagnostic;
      problems[i] = {
        ...d,
        path: clab.mapPath(d.path),
        ...(d.related ? { related: clab.mapPath(d.related) } : {}),
      };
    }
  }
  return { topology, source, problems, notes: clab?.notes ?? [] };
}

/**
 * Locates diagnostics in the source and sorts them by position.
 *
 * @returns a TopologyError ready to throw
 */
export function located(source: TopologySource, diagnostics: readonly Diagnostic[]): TopologyError {
  const all = diagnostics.map((d) => locate(source, d));
  all.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
  return new TopologyError(all);
}

function defaultLabName(file: string, problems: Diagnostic[]): string {
  const candidate = labNameFromPath(file) || "lab";
  if (!labNameSchema.safeParse(candidate).success) {
    problems.push({
      code: "bad-name",
      message: `cannot make a lab name from file name "${basename(file)}"; add "name:"`,
      path: [],
    });
  }
  return candidate;
}
