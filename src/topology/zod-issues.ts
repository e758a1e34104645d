/**
 * Turns zod issues into wirelab diagnostics with user wording: what is wrong
 * at which key, and what would be right.
 */
import type { z } from "zod";
import type { Diagnostic } from "../errors.js";
import { didYouMean, show } from "./suggest.js";

type Path = (string | number)[];
type Issue = z.core.$ZodIssue;
type AnySchema = z.core.$ZodType;

/**
 * Converts the issues of one failed `safeParse`.
 *
 * @param issues - zod's issues
 * @param data - the value that was parsed (for quoting what the user wrote)
 * @param schema - the schema it was parsed with (for listing known keys)
 * @param base - document path of `data`
 */
export function issuesToDiagnostics(
  issues: readonly Issue[],
  data: unknown,
  schema: AnySchema,
  base: Path = [],
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const issue of issues) out.push(...convert(issue, data, schema, base));
  return out;
}

function convert(issue: Issue, data: unknown, schema: AnySchema, base: Path): Diagnostic[] {
  const rel = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  const path = [...base, ...rel];
  const where = describeKey(path);
  const value = valueAt(data, rel);
  switch (issue.code) {
    case "unrecognized_keys": {
      const known = knownKeys(schema, rel);
      return issue.keys.map((key) => ({
        code: "unknown-key" as const,
        message: `unknown key "${key}"${where ? ` in ${where}` : ""}${didYouMean(key, known)}${known.length ? `; known keys: ${known.join(", ")}` : ""}`,
        path: [...path, key],
        atKey: true,
      }));
    }
    case "invalid_value":
      return [
        {
          code: "bad-value",
          message: `${where || "value"}: ${show(value)} is not one of ${issue.values.map((v) => String(v)).join(", ")}${typeof value === "string" ? didYouMean(value, issue.values.map(String)) : ""}`,
          path,
        },
      ];
    case "invalid_type":
      return [
        {
          code: "bad-type",
          message: `${where || "value"}: expected ${article(issue.expected)}, got ${show(value)}${issue.expected === "string" && typeof value === "number" ? `; YAML reads it as a number: write it in quotes ("${String(value)}")` : ""}`,
          path,
        },
      ];
    case "invalid_union": {
      // Prefer the branch that got furthest: the user meant that form.
      const branches = issue.errors;
      const deep = branches.filter((b) => b.length > 0 && b.every((i) => i.path.length > 0));
      if (deep.length > 0) {
        const best = deep.reduce((a, b) => (b.length < a.length ? b : a));
        return best.flatMap((i) =>
          convert({ ...i, path: [...rel, ...i.path] } as Issue, data, schema, base),
        );
      }
      const expected = [
        ...new Set(
          branches
            .flat()
            .map((i) =>
              i.code === "invalid_type"
                ? article(i.expected)
                : i.code === "invalid_value"
                  ? i.values.map((v) => show(v)).join(" or ")
                  : i.message,
            ),
        ),
      ];
      return [
        {
          code: "bad-type",
          message: `${where || "value"}: expected ${expected.join(" or ")}, got ${show(value)}`,
          path,
        },
      ];
    }
    default:
      return [
        {
          code: "bad-value",
          message: `${where || "value"}: ${show(value)}: ${issue.message}`,
          path,
        },
      ];
  }
}

function article(expected: string): string {
  switch (expected) {
    case "object":
      return "a map";
    case "array":
      return "a list";
    case "string":
      return "a string";
    case "number":
      return "a number";
    case "int":
      return "a whole number";
    case "boolean":
      return "true or false";
    case "null":
      return "nothing";
    default:
      return expected;
  }
}

function describeKey(path: Path): string {
  const last = [...path].reverse().find((p) => typeof p === "string");
  return last === undefined ? "" : `"${last}"`;
}

function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let v = data;
  for (const p of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

interface Def {
  type: string;
  shape?: Record<string, AnySchema>;
  element?: AnySchema;
  options?: AnySchema[];
  valueType?: AnySchema;
  innerType?: AnySchema;
}

function def(schema: AnySchema): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Keys the object schema at `path` allows (searching through unions, arrays, records). */
export function knownKeys(schema: AnySchema, path: readonly (string | number)[]): string[] {
  const found = new Set<string>();
  walk(schema, path, found);
  return [...found];
}

function walk(schema: AnySchema, path: readonly (string | number)[], found: Set<string>): void {
  const d = def(schema);
  if ((d.type === "optional" || d.type === "nullable" || d.type === "default") && d.innerType) {
    walk(d.innerType, path, found);
    return;
  }
  if (d.type === "union" && d.options) {
    for (const o of d.options) walk(o, path, found);
    return;
  }
  if (path.length === 0) {
    if (d.type === "object" && d.shape) for (const k of Object.keys(d.shape)) found.add(k);
    return;
  }
  const [head, ...rest] = path;
  if (d.type === "object" && d.shape && typeof head === "string" && d.shape[head])
    walk(d.shape[head], rest, found);
  else if (d.type === "array" && d.element && typeof head === "number")
    walk(d.element, rest, found);
  else if (d.type === "record" && d.valueType) walk(d.valueType, rest, found);
}
