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
import { type LoadOptions, rewriteTopology } from "./mechanics/index.js";
import { labNameFromPath } from "./name.js";
import { topologyFormat } from "./netlab.js";
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
export async function loadTopologyFile(
  file: string,
  options: LoadOptions = {},
): Promise<LoadedTopology> {
  const text = await readTopologyText(file);
  return parseTopology(text, file, options);
}

/**
 * Validates topology text.
 *
 * @param text - YAML
 * @param file - name used in messages and for the default lab name (its stem)
 * @throws {TopologyError} listing every problem found
 */
export function parseTopology(
  text: string,
  file = "topology.yml",
  options: LoadOptions = {},
): LoadedTopology {
  const r = parseTopologyPartial(text, file, options);
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
  options: LoadOptions = {},
): { topology?: Topology; source: TopologySource; problems: Diagnostic[]; notes: string[] } {
  const parsed = parseSource(text, file);
  if (parsed.diagnostics.length > 0)
    return { source: parsed.source, problems: parsed.diagnostics, notes: [] };
  let source = parsed.source;
  const raw: unknown = source.data ?? {};
  const problems: Diagnostic[] = [];
  const notes: string[] = [];
  // A containerlab file is turned into a wirelab topology; its problems point back into it.
  const clab = isClabTopology(raw)
    ? fromClab(raw as Record<string, unknown>, problems, dirname(file))
    : undefined;
  let data: unknown;
  let format: "netlab" | "wirelab" = "wirelab";
  if (clab) {
    // Later problems (the planner's, a failed exec line) are located through the same way back.
    source = { ...source, mapPath: clab.mapPath };
    data = clab.data;
    notes.push(...clab.notes);
  } else {
    // netlab's mechanics (dotted keys, defaults files, groups, modules), for both formats.
    format = topologyFormat(raw);
    const rw = rewriteTopology(source, format, dirname(file), options, problems);
    source = { ...source, rewritten: { root: rw.data, origins: rw.origins } };
    data = rw.data;
    notes.push(...rw.notes);
  }
  const translated = problems.length;
  const input = parseSections(data, problems);
  const name = input.name ?? defaultLabName(file, problems);
  const addressing = resolveAddressing(input.addressing, problems, format);
  const nodes = normalizeNodes(input, problems, dirname(file), format);
  const nodeNames = new Set(nodes.map((n) => n.name));
  const links = normalizeLinks(input.links ?? [], nodeNames, problems);
  const validate = normalizeTests(
    input,
    {
      nodes: new Map(nodes.map((n) => [n.name, { device: n.device }])),
      waitTimes: (input.defaults?.const?.validate ?? {}) as Record<string, unknown>,
    },
    problems,
  );
  notes.push(...validate.notes);
  checkTopology(links, problems);
  const routing = input.routing;
  const topology: Topology = {
    name,
    file,
    format,
    routing: typeof routing === "string" ? routing : "none",
    addressing,
    nodes,
    links,
    tests: validate.tests,
    checks: validate.checks,
    modules: input.module ?? [],
    // The sections hold what the schemas made of the file (their output types).
    ...(input.bgp ? { bgp: input.bgp as unknown as NonNullable<Topology["bgp"]> } : {}),
    staticRoutes:
      typeof routing === "object" ? ((routing.static ?? {}) as Topology["staticRoutes"]) : {},
    prefixes: Object.fromEntries(
      Object.entries(input.prefix ?? {}).map(([k, v]) => [
        k,
        Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)),
      ]),
    ),
    ...(input.message !== undefined ? { message: input.message } : {}),
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
  return { topology, source, problems, notes };
}

/**
 * Locates diagnostics in the source and sorts them by position.
 *
 * @returns a TopologyError ready to throw
 */
export function located(source: TopologySource, diagnostics: readonly Diagnostic[]): TopologyError {
  const located = diagnostics.map((d) => locate(source, d));
  // One value merged into many places (a defaults file's, a group's) is one problem.
  const seen = new Set<string>();
  const all = located.filter((d) => {
    const key = `${d.file}:${d.line}:${d.col}:${d.code}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  // The topology's own problems first, then those in its defaults files; each by position.
  const fileRank = (d: Diagnostic) => (d.file === source.file ? "" : (d.file ?? ""));
  all.sort(
    (a, b) =>
      fileRank(a).localeCompare(fileRank(b)) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.col ?? 0) - (b.col ?? 0),
  );
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
