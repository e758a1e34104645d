/**
 * A parsed YAML topology with the means to turn a document path into a
 * file position. The only module that knows how yaml v2 exposes nodes and
 * ranges, so a yaml upgrade touches one file.
 */
import {
  type Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
} from "yaml";
import type { Diagnostic } from "../errors.js";

/** A place in a file: the document path of a value there. */
export interface Origin {
  readonly source: TopologySource;
  readonly path: readonly (string | number)[];
  /** The place is a key (a dotted key, a group's attribute name): point at the key. */
  readonly atKey?: boolean;
}

/** Where the values of rewritten data came from (see `origins.ts`). */
export interface OriginLookup {
  locate(root: unknown, path: readonly (string | number)[]): Origin | undefined;
}

/** A topology file parsed into a YAML document, with positions. */
export interface TopologySource {
  /** File name used in messages (as the user gave it). */
  readonly file: string;
  readonly text: string;
  readonly doc: Document.Parsed;
  readonly lineCounter: LineCounter;
  /**
   * The document as plain data (objects, arrays, scalars); undefined when
   * it has syntax errors or its aliases expand too far.
   */
  readonly data: unknown;
  /**
   * For a file read as another tool's (containerlab), the way from a path
   * of the wirelab topology made of it back to the file's own path.
   */
  readonly mapPath?: (path: readonly (string | number)[]) => readonly (string | number)[];
  /**
   * For a file whose data was rewritten (dotted keys expanded, defaults
   * files and groups merged): the rewritten data and where each of its
   * values came from, possibly another file.
   */
  readonly rewritten?: { readonly root: unknown; readonly origins: OriginLookup };
}

/**
 * Most alias expansions a document may make (yaml's `maxAliasCount`): a
 * few anchors reused are fine; an "alias bomb" (aliases of aliases, each
 * level multiplying the last) is refused before it takes the memory.
 */
const MAX_ALIAS_COUNT = 1000;

/**
 * Parses YAML text, keeping positions.
 *
 * @param text - file contents
 * @param file - name to show in messages
 * @returns the source and any syntax diagnostics (already located)
 */
export function parseSource(
  text: string,
  file: string,
): { source: TopologySource; diagnostics: Diagnostic[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  let data: unknown;
  let aliasProblem: Diagnostic | undefined;
  if (doc.errors.length === 0) {
    try {
      data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
    } catch (e) {
      // yaml throws a ReferenceError for an excessive alias count: say where the aliases are.
      let at = 0;
      visit(doc, {
        Alias(_, node) {
          at = node.range?.[0] ?? 0;
          return visit.BREAK;
        },
      });
      const pos = lineCounter.linePos(at);
      aliasProblem = {
        code: "yaml-syntax",
        message: `its aliases expand to too much (${(e as Error).message}); write the repeated values out, or use fewer levels of aliases`,
        path: [],
        file,
        line: pos.line,
        col: pos.col,
      };
    }
  }
  const source: TopologySource = { file, text, doc, lineCounter, data };
  const diagnostics: Diagnostic[] = doc.errors.map((e) => {
    const pos = lineCounter.linePos(e.pos[0]);
    return withLine(source, {
      code: "yaml-syntax",
      message: `YAML syntax error: ${firstLine(e.message)}`,
      path: [],
      file,
      line: pos.line,
      col: pos.col,
    });
  });
  return { source, diagnostics: aliasProblem ? [withLine(source, aliasProblem)] : diagnostics };
}

function firstLine(message: string): string {
  const line = message.split("\n")[0] ?? message;
  return line.replace(/ at line \d+, column \d+:?$/, "");
}

/**
 * Gives a diagnostic the file position of its path: the value's start, or the
 * key's when `atKey` is set. Walks up the path to the nearest node that exists.
 *
 * @param source - the parsed file
 * @param d - a diagnostic with a document path
 */
export function locate(source: TopologySource, d: Diagnostic): Diagnostic {
  if (d.line !== undefined) return d;
  const at = placeOf(source, d.path, d.atKey ?? false);
  const related = d.related !== undefined ? placeOf(source, d.related, false) : undefined;
  const pos = at.source.lineCounter.linePos(at.offset);
  const rel = related?.source.lineCounter.linePos(related.offset);
  return withLine(at.source, {
    ...d,
    file: at.source.file,
    line: pos.line,
    col: pos.col,
    ...(related && rel ? { relatedAt: `${related.source.file}:${rel.line}:${rel.col}` } : {}),
  });
}

/**
 * Gives a diagnostic the file position of a place already known (a value
 * of a rewritten topology whose origin was looked up, possibly in another
 * file).
 */
export function locateOrigin(origin: Origin, d: Diagnostic): Diagnostic {
  const file = origin.source;
  const pos = file.lineCounter.linePos(
    offsetOf(file, origin.path, (d.atKey ?? false) || (origin.atKey ?? false)),
  );
  return withLine(file, { ...d, file: file.file, line: pos.line, col: pos.col });
}

/** The file and offset a document path stands for, through the ways back a source keeps. */
function placeOf(
  source: TopologySource,
  path: readonly (string | number)[],
  atKey: boolean,
): { source: TopologySource; offset: number } {
  const origin = source.rewritten?.origins.locate(source.rewritten.root, path);
  if (origin) {
    const file = origin.source;
    return { source: file, offset: offsetOf(file, origin.path, atKey || (origin.atKey ?? false)) };
  }
  // Already a path of the file for problems found while translating it: mapping it again changes nothing.
  const back = source.mapPath ?? ((p: readonly (string | number)[]) => p);
  return { source, offset: offsetOf(source, back(path), atKey) };
}

function withLine(source: TopologySource, d: Diagnostic): Diagnostic {
  if (d.line === undefined) return d;
  const line = source.text.split("\n")[d.line - 1];
  return line === undefined ? d : { ...d, sourceLine: line.replace(/\r$/, "") };
}

function offsetOf(
  source: TopologySource,
  path: readonly (string | number)[],
  atKey: boolean,
): number {
  // Walk down the document, remembering the last node that had a range.
  let node: unknown = source.doc.contents;
  let best = rangeStart(node) ?? 0;
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyValue(p.key) === key);
      if (!pair) break;
      const keyStart = rangeStart(pair.key);
      if (last && atKey && keyStart !== undefined) return keyStart;
      node = pair.value;
      best = rangeStart(node) ?? keyStart ?? best;
    } else if (isSeq(node) && typeof key === "number") {
      node = node.items[key];
      if (node === undefined) break;
      best = rangeStart(node) ?? best;
    } else {
      break;
    }
  }
  return best;
}

function keyValue(key: unknown): unknown {
  return isScalar(key) ? key.value : key;
}

function rangeStart(node: unknown): number | undefined {
  if (node && typeof node === "object" && "range" in node) {
    const range = (node as { range?: [number, number, number] | null }).range;
    if (range) return range[0];
  }
  return undefined;
}
