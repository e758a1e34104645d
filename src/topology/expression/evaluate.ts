/**
 * Evaluates a parsed expression (`parse.ts`) over plain data, with
 * Python's meaning of truth, equality, `in`, `and`/`or` and arithmetic
 * (Python Language Reference, "Expressions"). Values are JSON's (null,
 * booleans, numbers, strings, lists, maps) and the functions given in the
 * scope; `re.search`, `len` and a few string and map methods are built in.
 * A failure is an {@link EvaluationError} whose message says what was
 * missing, as netlab's validation reports a failed check.
 */
import type { Expr } from "./parse.js";

/** A value an expression works on. */
export type Value =
  | null
  | boolean
  | number
  | string
  | readonly Value[]
  | { readonly [key: string]: Value }
  | PyFunction
  | PyMatch;

/** A function an expression may call: positional and keyword arguments. */
export interface PyFunction {
  readonly kind: "function";
  readonly name: string;
  call(args: Value[], kwargs: Record<string, Value>): Value;
}

/** What `re.search` returns when it finds something (Python's `re.Match`). */
export interface PyMatch {
  readonly kind: "match";
  readonly groups: readonly (string | undefined)[];
}

/** The evaluation failed: a name, key or attribute is missing, or a type is wrong. */
export class EvaluationError extends Error {
  override name = "EvaluationError";
}

/** Names an expression can see. */
export type Scope = Readonly<Record<string, Value>>;

/** Makes a function value. */
export function pyFunction(name: string, call: PyFunction["call"]): PyFunction {
  return { kind: "function", name, call };
}

const isFunction = (v: Value): v is PyFunction =>
  v !== null &&
  typeof v === "object" &&
  !Array.isArray(v) &&
  (v as { kind?: unknown }).kind === "function" &&
  typeof (v as { call?: unknown }).call === "function";
const isMatch = (v: Value): v is PyMatch =>
  v !== null &&
  typeof v === "object" &&
  !Array.isArray(v) &&
  (v as { kind?: unknown }).kind === "match" &&
  Array.isArray((v as { groups?: unknown }).groups);
const isMap = (v: Value): v is { readonly [key: string]: Value } =>
  v !== null && typeof v === "object" && !Array.isArray(v) && !isFunction(v) && !isMatch(v);

/** Python's truth of a value. */
export function truthy(v: Value | undefined): boolean {
  if (v === null || v === undefined || v === false) return false;
  if (typeof v === "number") return v !== 0;
  if (typeof v === "string") return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

/** How a value is shown in a message (Python's repr, roughly). */
export function show(v: Value | undefined): string {
  if (v === undefined) return "nothing";
  if (v === null) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "string") return `'${v}'`;
  if (typeof v === "number") return String(v);
  if (isFunction(v)) return `${v.name}()`;
  if (isMatch(v)) return "<match>";
  if (Array.isArray(v)) return `[${v.map(show).join(", ")}]`;
  const m = v as { readonly [key: string]: Value };
  const entries = Object.entries(m);
  const shown = entries.slice(0, 4).map(([k, x]) => `'${k}': ${show(x)}`);
  return `{${shown.join(", ")}${entries.length > 4 ? ", …" : ""}}`;
}

/** Python's `==`: by value, lists and maps item by item. */
export function equal(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeof a === "boolean" && typeof b === "number") return Number(a) === b;
  if (typeof b === "boolean" && typeof a === "number") return a === Number(b);
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => equal(x, b[i] as Value));
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    return (
      ka.length === Object.keys(b).length &&
      ka.every((k) => k in b && equal(a[k] as Value, b[k] as Value))
    );
  }
  return false;
}

/** Describes where a value came from, for messages (`nodes.dut.loopback`). */
function where(e: Expr): string {
  switch (e.type) {
    case "name":
      return e.name;
    case "attribute":
      return `${where(e.object)}.${e.name}`;
    case "subscript":
      return `${where(e.object)}[${e.index.type === "literal" ? show(e.index.value) : "…"}]`;
    case "call":
      return `${where(e.callee)}()`;
    default:
      return "the value";
  }
}

/**
 * Evaluates an expression.
 *
 * @throws {EvaluationError} when a name, attribute, key or index is missing or a type does not fit
 */
export function evaluate(e: Expr, scope: Scope): Value {
  switch (e.type) {
    case "literal":
      return e.value;
    case "name": {
      if (Object.hasOwn(scope, e.name)) return scope[e.name] as Value;
      if (Object.hasOwn(BUILTINS, e.name)) return BUILTINS[e.name] as Value;
      throw new EvaluationError(`name "${e.name}" is not defined`);
    }
    case "attribute": {
      const obj = evaluate(e.object, scope);
      return attribute(obj, e.name, () => where(e.object));
    }
    case "subscript": {
      const obj = evaluate(e.object, scope);
      const index = evaluate(e.index, scope);
      return subscript(obj, index, () => where(e.object));
    }
    case "slice": {
      const obj = evaluate(e.object, scope);
      const start = e.start ? evaluate(e.start, scope) : null;
      const end = e.end ? evaluate(e.end, scope) : null;
      if (
        (start !== null && typeof start !== "number") ||
        (end !== null && typeof end !== "number")
      )
        throw new EvaluationError("slice bounds are numbers");
      if (typeof obj === "string" || Array.isArray(obj)) {
        const s = start === null ? undefined : start;
        const t = end === null ? undefined : end;
        return obj.slice(s, t) as Value;
      }
      throw new EvaluationError(`${where(e.object)} cannot be sliced (${show(obj)})`);
    }
    case "call": {
      const fn = evaluate(e.callee, scope);
      if (!isFunction(fn)) throw new EvaluationError(`${where(e.callee)} is not a function`);
      const args = e.args.map((a) => evaluate(a, scope));
      const kwargs: Record<string, Value> = {};
      for (const k of e.kwargs) kwargs[k.name] = evaluate(k.value, scope);
      return fn.call(args, kwargs);
    }
    case "list":
      return e.items.map((i) => evaluate(i, scope));
    case "dict": {
      const out: Record<string, Value> = {};
      for (const { key, value } of e.entries) {
        const k = evaluate(key, scope);
        if (typeof k !== "string" && typeof k !== "number")
          throw new EvaluationError("map keys are strings or numbers");
        out[String(k)] = evaluate(value, scope);
      }
      return out;
    }
    case "unary": {
      const v = evaluate(e.operand, scope);
      if (e.op === "not") return !truthy(v);
      if (typeof v !== "number")
        throw new EvaluationError(`"${e.op}" needs a number, got ${show(v)}`);
      return e.op === "-" ? -v : v;
    }
    case "bool": {
      const left = evaluate(e.left, scope);
      if (e.op === "and") return truthy(left) ? evaluate(e.right, scope) : left;
      return truthy(left) ? left : evaluate(e.right, scope);
    }
    case "ifelse":
      return truthy(evaluate(e.test, scope))
        ? evaluate(e.then, scope)
        : evaluate(e.otherwise, scope);
    case "compare": {
      let left = evaluate(e.first, scope);
      for (const { op, operand } of e.rest) {
        const right = evaluate(operand, scope);
        if (!compare(op, left, right)) return false;
        left = right;
      }
      return true;
    }
    case "binary":
      return arithmetic(e.op, evaluate(e.left, scope), evaluate(e.right, scope));
  }
}

function attribute(obj: Value, name: string, from: () => string): Value {
  if (typeof obj === "string") {
    const m = STRING_METHODS[name];
    if (m) return pyFunction(name, (args, kwargs) => m(obj, args, kwargs));
  }
  if (isMatch(obj) && name === "group")
    return pyFunction("group", (args) => {
      const i = typeof args[0] === "number" ? args[0] : 0;
      return obj.groups[i] ?? null;
    });
  if (isMap(obj)) {
    if (Object.hasOwn(obj, name)) return obj[name] as Value;
    const m = MAP_METHODS[name];
    if (m) return pyFunction(name, (args) => m(obj, args));
    throw new EvaluationError(
      `${from()} has no "${name}"${Object.keys(obj).length ? ` (it has ${Object.keys(obj).slice(0, 8).join(", ")}${Object.keys(obj).length > 8 ? ", …" : ""})` : " (it is empty)"}`,
    );
  }
  throw new EvaluationError(`${from()} is ${show(obj)}, which has no "${name}"`);
}

function subscript(obj: Value, index: Value, from: () => string): Value {
  if (Array.isArray(obj) || typeof obj === "string") {
    if (typeof index !== "number" || !Number.isInteger(index))
      throw new EvaluationError(`${from()} is indexed by a whole number, got ${show(index)}`);
    const i = index < 0 ? obj.length + index : index;
    if (i < 0 || i >= obj.length)
      throw new EvaluationError(`${from()} has no item ${index} (it has ${obj.length})`);
    return (typeof obj === "string" ? obj[i] : obj[i]) as Value;
  }
  if (isMap(obj)) {
    const k = typeof index === "number" ? String(index) : index;
    if (typeof k !== "string")
      throw new EvaluationError(`${from()} is indexed by a string, got ${show(index)}`);
    if (Object.hasOwn(obj, k)) return obj[k] as Value;
    throw new EvaluationError(`${from()} has no ${show(k)}`);
  }
  throw new EvaluationError(`${from()} is ${show(obj)}, which cannot be indexed`);
}

function contains(container: Value, item: Value): boolean {
  if (typeof container === "string") {
    if (typeof item !== "string")
      throw new EvaluationError(`"in <string>" needs a string on the left, got ${show(item)}`);
    return container.includes(item);
  }
  if (Array.isArray(container)) return container.some((x) => equal(x, item));
  if (isMap(container))
    return typeof item === "string" || typeof item === "number"
      ? Object.hasOwn(container, String(item))
      : false;
  throw new EvaluationError(
    `"in" needs a string, list or map on the right, got ${show(container)}`,
  );
}

function compare(op: string, a: Value, b: Value): boolean {
  switch (op) {
    case "==":
      return equal(a, b);
    case "!=":
      return !equal(a, b);
    case "in":
      return contains(b, a);
    case "not in":
      return !contains(b, a);
    case "is":
      return a === b || (a === null && b === null);
    case "is not":
      return !(a === b || (a === null && b === null));
  }
  const both =
    (typeof a === "number" && typeof b === "number") ||
    (typeof a === "string" && typeof b === "string");
  if (!both)
    throw new EvaluationError(
      `"${op}" compares two numbers or two strings, got ${show(a)} and ${show(b)}`,
    );
  const x = a as number | string;
  const y = b as number | string;
  return op === "<" ? x < y : op === ">" ? x > y : op === "<=" ? x <= y : x >= y;
}

function arithmetic(op: string, a: Value, b: Value): Value {
  if (op === "+") {
    if (typeof a === "number" && typeof b === "number") return a + b;
    if (typeof a === "string" && typeof b === "string") return a + b;
    if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
    throw new EvaluationError(`"+" cannot join ${show(a)} and ${show(b)}`);
  }
  if (op === "*" && typeof a === "string" && typeof b === "number") return a.repeat(Math.max(0, b));
  if (typeof a !== "number" || typeof b !== "number")
    throw new EvaluationError(`"${op}" needs numbers, got ${show(a)} and ${show(b)}`);
  switch (op) {
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      if (b === 0) throw new EvaluationError("division by zero");
      return a / b;
    case "//":
      if (b === 0) throw new EvaluationError("division by zero");
      return Math.floor(a / b);
    case "%":
      if (b === 0) throw new EvaluationError("division by zero");
      return ((a % b) + b) % b;
    case "**":
      return a ** b;
  }
  throw new EvaluationError(`unknown operator "${op}"`);
}

const str = (v: Value | undefined, what: string): string => {
  if (typeof v !== "string") throw new EvaluationError(`${what} needs a string, got ${show(v)}`);
  return v;
};

const STRING_METHODS: Readonly<
  Record<string, (s: string, args: Value[], kwargs: Record<string, Value>) => Value>
> = {
  split: (s, args) => {
    const sep = args[0];
    if (sep === undefined || sep === null) return s.trim().split(/\s+/).filter(Boolean);
    return s.split(str(sep, "split"));
  },
  startswith: (s, args) => s.startsWith(str(args[0], "startswith")),
  endswith: (s, args) => s.endsWith(str(args[0], "endswith")),
  replace: (s, args) => s.replaceAll(str(args[0], "replace"), str(args[1], "replace")),
  lower: (s) => s.toLowerCase(),
  upper: (s) => s.toUpperCase(),
  strip: (s) => s.trim(),
  count: (s, args) => s.split(str(args[0], "count")).length - 1,
};

const MAP_METHODS: Readonly<
  Record<string, (m: { readonly [key: string]: Value }, args: Value[]) => Value>
> = {
  get: (m, args) => {
    const k = args[0];
    return (typeof k === "string" || typeof k === "number") && Object.hasOwn(m, String(k))
      ? (m[String(k)] as Value)
      : (args[1] ?? null);
  },
  keys: (m) => Object.keys(m),
  values: (m) => Object.values(m),
  items: (m) => Object.entries(m).map(([k, v]) => [k, v]),
};

/** A Python regular expression as a JavaScript one: the common syntax is the same; named groups differ. */
function regex(pattern: string): RegExp {
  try {
    return new RegExp(
      pattern.replaceAll("(?P<", "(?<").replace(/^\(\?m\)/, ""),
      /^\(\?m\)/.test(pattern) ? "m" : "",
    );
  } catch (e) {
    throw new EvaluationError(`"${pattern}" is not a regular expression (${(e as Error).message})`);
  }
}

const reFunction = (name: string, find: (re: RegExp, s: string) => RegExpExecArray | null) =>
  pyFunction(`re.${name}`, (args) => {
    const m = find(regex(str(args[0], `re.${name}`)), str(args[1], `re.${name}`));
    return m ? { kind: "match", groups: [...m] } : null;
  });

/** What every expression sees: Python's `len`, `str`, `int`, `any`, `all` and the `re` module's search and match. */
const BUILTINS: Readonly<Record<string, Value>> = {
  len: pyFunction("len", (args) => {
    const v = args[0];
    if (typeof v === "string" || Array.isArray(v)) return v.length;
    if (v !== undefined && isMap(v)) return Object.keys(v).length;
    throw new EvaluationError(`len() needs a string, list or map, got ${show(v)}`);
  }),
  str: pyFunction("str", (args) => (typeof args[0] === "string" ? args[0] : show(args[0]))),
  int: pyFunction("int", (args) => {
    const n = Number(args[0]);
    if (!Number.isFinite(n)) throw new EvaluationError(`int() of ${show(args[0])}`);
    return Math.trunc(n);
  }),
  any: pyFunction("any", (args) => Array.isArray(args[0]) && args[0].some(truthy)),
  all: pyFunction("all", (args) => Array.isArray(args[0]) && args[0].every(truthy)),
  re: {
    search: reFunction("search", (re, s) => re.exec(s)),
    match: reFunction("match", (re, s) => {
      const m = re.exec(s);
      return m && m.index === 0 ? m : null;
    }),
    fullmatch: reFunction("fullmatch", (re, s) => {
      const m = new RegExp(`^(?:${re.source})$`, re.flags).exec(s);
      return m;
    }),
  },
};
