/**
 * What netlab's validation plugins share (netlab's `netsim/validate/_common.py`):
 * binding a call's arguments to a plugin's parameters, the failure and
 * success of a check, and the prefix checks of the OSPF and BGP plugins.
 */
import { networkOf, parseCidr } from "../../../ip.js";
import { show, truthy, type Value } from "../../../topology/expression/evaluate.js";

/** A check failed; the message says why (netlab's exception text). */
export class CheckFailed extends Error {
  override name = "CheckFailed";
}

/** A plugin function's parameters, in order, with defaults. */
export interface Param {
  readonly name: string;
  /** Absent: the parameter must be given. */
  readonly default?: Value;
}

/** Arguments bound to parameter names; `rest` holds keyword arguments the parameters do not name. */
export interface Bound {
  readonly values: Readonly<Record<string, Value>>;
  readonly rest: Readonly<Record<string, Value>>;
}

/**
 * Binds a call's arguments as Python binds them to a function's parameters.
 *
 * @param rest - whether the function takes other keyword arguments (`**kwargs`)
 * @throws {CheckFailed} for a missing, doubled or unknown argument
 */
export function bind(
  fn: string,
  params: readonly Param[],
  args: readonly Value[],
  kwargs: Readonly<Record<string, Value>>,
  rest = false,
): Bound {
  if (args.length > params.length)
    throw new CheckFailed(`${fn}() takes ${params.length} arguments, got ${args.length}`);
  const values: Record<string, Value> = {};
  args.forEach((a, i) => {
    values[(params[i] as Param).name] = a;
  });
  const extra: Record<string, Value> = {};
  for (const [k, v] of Object.entries(kwargs)) {
    if (params.some((p) => p.name === k)) {
      if (k in values) throw new CheckFailed(`${fn}() got two values of "${k}"`);
      values[k] = v;
    } else if (rest) extra[k] = v;
    else
      throw new CheckFailed(
        `${fn}() has no argument "${k}" (it takes ${params.map((p) => p.name).join(", ")})`,
      );
  }
  for (const p of params) {
    if (p.name in values) continue;
    if (p.default === undefined) throw new CheckFailed(`${fn}() needs "${p.name}"`);
    values[p.name] = p.default;
  }
  return { values, rest: extra };
}

/** A string argument (a prefix, a router ID), or a failure naming it. */
export function text(v: Value | undefined, what: string): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return String(v);
  throw new CheckFailed(`${what} is ${show(v)}, not a string`);
}

/** Python's `str()` of an argument in a message (strings as they are). */
export function str(v: Value | undefined): string {
  return typeof v === "string" ? v : show(v);
}

/** netlab's `get_prefix`: the network of an address (a bare address is a host prefix). */
export function prefixOf(addr: string): string {
  const c = parseCidr(addr.includes("/") ? addr : `${addr}/${addr.includes(":") ? 128 : 32}`);
  if (!c) throw new CheckFailed(`"${addr}" is not an IP address or prefix`);
  return networkOf(c);
}

/** The address of an interface address (`10.0.0.1/24` → `10.0.0.1`). */
export const addressOf = (a: string): string => a.split("/")[0] as string;

/** A map value's key, or undefined. */
export function get(v: Value | undefined, key: string): Value | undefined {
  if (v === null || v === undefined || typeof v !== "object" || Array.isArray(v)) return undefined;
  return Object.hasOwn(v, key) ? (v as Record<string, Value>)[key] : undefined;
}

/** A list value, or an empty one. */
export function list(v: Value | undefined): readonly Value[] {
  return Array.isArray(v) ? v : [];
}

/** A filter of prefix paths by one check (netlab's `checks` of `run_prefix_checks`). */
export type PrefixCheck = (
  paths: readonly Value[],
  value: Value,
  pfx: string,
  state: string,
) => readonly Value[];

/**
 * netlab's `run_prefix_checks`: the prefix must be in the table (or,
 * with `state='missing'`, not), then each check given narrows its paths;
 * none left is a failure (or, when missing, the success).
 *
 * @returns the success message
 * @throws {CheckFailed} with netlab's message
 */
export function runPrefixChecks(
  pfxArg: Value,
  state: string,
  data: Value,
  kwargs: Readonly<Record<string, Value>>,
  table: string,
  lookup: (pfx: string, data: Value) => Value | undefined,
  checks: Readonly<Record<string, PrefixCheck>>,
  names: Readonly<Record<string, string>>,
): string {
  const pfx = prefixOf(text(pfxArg, "the prefix"));
  const found = lookup(pfx, data);
  if (found === undefined || found === null) {
    const msg = `The prefix ${pfx} is not in the ${table}`;
    if (state === "missing") return msg;
    throw new CheckFailed(msg);
  }
  for (const k of Object.keys(kwargs))
    if (!(k in checks))
      throw new CheckFailed(
        `Invalid prefix check ${k} (checks: ${Object.keys(checks).join(", ")})`,
      );
  let paths: readonly Value[] = Array.isArray(found) ? found : [found];
  const done: string[] = [];
  let params = "";
  for (const [k, check] of Object.entries(checks)) {
    if (!(k in kwargs)) continue;
    paths = check(paths, kwargs[k] as Value, pfx, state);
    done.push(k);
    params = ` with ${done.map((d) => `${names[d]}=${str(kwargs[d])}`).join(",")}`;
    if (paths.length === 0) {
      const msg = `There is no path to ${pfx} in the ${table}${params}`;
      if (state === "missing") return msg;
      throw new CheckFailed(msg);
    }
    if (state === "missing")
      throw new CheckFailed(`The prefix ${pfx}${params} should not be in the ${table}`);
  }
  if (state === "missing")
    throw new CheckFailed(`The prefix ${pfx}${params} should not be in the ${table}`);
  return `The prefix ${pfx} is in the ${table}${params}`;
}

/** Whether a value is true in Python's sense. */
export const isTrue = truthy;

/** A check found what it was to find before its end (netlab's `log.Result`); the message says what. */
export class CheckPassed extends Error {
  override name = "CheckPassed";
}

/**
 * One of netlab's validation plugin functions, for the devices wirelab
 * runs: the command it runs in a node and the check of what it printed.
 */
export interface ValidationPlugin {
  readonly name: string;
  readonly params: readonly Param[];
  /** It takes other keyword arguments (checks, in the prefix plugins). */
  readonly rest?: boolean;
  /**
   * `show`: an FRR `show` command (without `show`) whose output is JSON;
   * `exec`: a shell command whose output is checked as text.
   */
  readonly action: "show" | "exec";
  /** A `show` whose output is text (FRR 8.4 has no JSON form of it). */
  readonly textOutput?: boolean;
  /** The command, from the call's arguments. */
  command(b: Bound): string;
  /**
   * Checks the result (the parsed JSON, `{ stdout }` of an exec, or the
   * text form's own parse).
   *
   * @returns the success message
   * @throws {CheckFailed} with why it failed
   */
  valid(result: Value, b: Bound): string;
}
