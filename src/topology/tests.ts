/**
 * Normalizes `validate:`. An entry with `from` and `ping` is wirelab's
 * reachability test (one {@link TopologyTest} per from/target pair); any
 * other is one of netlab's tests (netlab docs, "Lab Validation Tests";
 * checks as netlab's `augment/validate.py` makes them): `nodes` to run it
 * on, one action (`plugin`, `show` with `valid`, `exec` with or without
 * `valid`, or `wait` alone), `wait` in seconds or a `defaults.const.validate`
 * name. Expressions and templates are parsed now, so a bad one is an error
 * at its line.
 */
import type { Diagnostic } from "../errors.js";
import { parseAddress } from "../ip.js";
import { ExpressionSyntaxError, parseExpression } from "./expression/parse.js";
import { isTemplate, parseTemplate } from "./expression/template.js";
import { unknownNode } from "./links.js";
import { netlabTestSchema, type TopologyInput, validateTestSchema } from "./schema.js";
import type { NetlabTest, SourcePath, TopologyTest } from "./types.js";
import { pluginDevices, VALIDATION_PLUGINS } from "./validation-plugins.js";
import { issuesToDiagnostics } from "./zod-issues.js";

/** What the tests are checked against: the nodes and their devices, and netlab's wait-time names. */
export interface TestContext {
  readonly nodes: ReadonlyMap<string, { readonly device: string }>;
  /** `defaults.const.validate`: name → seconds, and device → name → seconds. */
  readonly waitTimes: Readonly<Record<string, unknown>>;
}

/**
 * @param input - the shape-checked topology
 * @param ctx - nodes and wait times
 * @param diagnostics - problems are appended here
 */
export function normalizeTests(
  input: Partial<TopologyInput>,
  ctx: TestContext,
  diagnostics: Diagnostic[],
): { tests: TopologyTest[]; checks: NetlabTest[]; notes: string[] } {
  const raw = input.validate;
  const tests: TopologyTest[] = [];
  const checks: NetlabTest[] = [];
  const notes: string[] = [];
  if (!raw) return { tests, checks, notes };
  const entries = Array.isArray(raw)
    ? raw.map((t, i) => ({
        t,
        name:
          t !== null && typeof t === "object" && "name" in t
            ? (t as { name?: unknown }).name
            : undefined,
        path: ["validate", i] as (string | number)[],
      }))
    : Object.entries(raw).map(([name, t]) => ({
        t,
        name,
        path: ["validate", name] as (string | number)[],
      }));
  const names = new Set(ctx.nodes.keys());
  for (const { t, name, path } of entries) {
    if (t === null || typeof t !== "object" || Array.isArray(t)) {
      diagnostics.push({
        code: "bad-type",
        message: `test${typeof name === "string" ? ` "${name}"` : ""} is a map (from and ping, or netlab's nodes and plugin), got ${t === null ? "nothing" : Array.isArray(t) ? "a list" : typeof t}`,
        path,
      });
      continue;
    }
    const testName = typeof name === "string" ? name : undefined;
    if ("from" in t || "ping" in t) tests.push(...pingTests(t, testName, path, names, diagnostics));
    else {
      const c = netlabTest(t, testName ?? `test ${String(path[1])}`, path, ctx, diagnostics);
      if (c) {
        checks.push(c);
        if (c.skip) notes.push(`test "${c.name}": ${c.skip}; validate will report it skipped`);
      }
    }
  }
  return { tests, checks, notes };
}

function pingTests(
  raw: object,
  name: string | undefined,
  path: SourcePath,
  nodes: ReadonlySet<string>,
  diagnostics: Diagnostic[],
): TopologyTest[] {
  const schema =
    Array.isArray(path) && typeof path[1] === "number"
      ? validateTestSchema
      : validateTestSchema.omit({ name: true });
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    diagnostics.push(...issuesToDiagnostics(parsed.error.issues, raw, schema, [...path]));
    return [];
  }
  const t = parsed.data;
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
  if (!ok) return [];
  const out: TopologyTest[] = [];
  for (const from of froms) {
    for (const target of targets) {
      if (from === target) continue;
      out.push({
        name: name ?? ("name" in t && typeof t.name === "string" ? t.name : `${from} → ${target}`),
        from,
        ping: target,
        expect: t.expect ?? "success",
        path,
        ...(t.af !== undefined ? { af: t.af } : {}),
      });
    }
  }
  return out;
}

/** The action keywords of netlab's tests. */
const ACTIONS = ["show", "exec", "config", "plugin", "suzieq"] as const;

function netlabTest(
  raw: object,
  name: string,
  path: SourcePath,
  ctx: TestContext,
  diagnostics: Diagnostic[],
): NetlabTest | undefined {
  const parsed = netlabTestSchema.safeParse(raw);
  if (!parsed.success) {
    diagnostics.push(...issuesToDiagnostics(parsed.error.issues, raw, netlabTestSchema, [...path]));
    return undefined;
  }
  const t = parsed.data;
  const problem = (message: string, key?: string): undefined => {
    diagnostics.push({
      code: "bad-value",
      message: `test "${name}": ${message}`,
      path: key ? [...path, key] : path,
      ...(key ? { atKey: true } : {}),
    });
    return undefined;
  };
  const actions = ACTIONS.filter((k) => t[k] !== undefined);
  if (actions.length === 0 && t.wait === undefined)
    return problem("needs an action: plugin, show (with valid), exec, or wait");
  if (actions.length > 1 && actions.some((a) => a !== "show" && a !== "exec"))
    return problem(`has ${actions.join(", ")}; use one action per test`);
  if (t.show !== undefined && t.valid === undefined)
    return problem('has "show" but no "valid" to check its output with', "show");
  if (t.valid !== undefined && t.show === undefined && t.exec === undefined)
    return problem('has "valid" but no "show" or "exec" whose output it checks', "valid");
  const nodes = t.nodes ?? [];
  if (actions.length > 0 && t.nodes === undefined && t.suzieq === undefined)
    return problem('needs "nodes" to run on');
  let ok = true;
  nodes.forEach((n, i) => {
    if (!ctx.nodes.has(n)) {
      diagnostics.push(unknownNode(n, new Set(ctx.nodes.keys()), [...path, "nodes", i]));
      ok = false;
    }
  });
  if (!ok) return undefined;
  const wait = waitSeconds(t.wait, name, path, ctx, diagnostics);
  if (t.wait !== undefined && wait === undefined) return undefined;
  // Expressions and templates are parsed now: a mistake is shown at its line.
  if (
    t.plugin !== undefined &&
    !checkPlugin(t.plugin, name, nodes, [...path, "plugin"], ctx, diagnostics)
  )
    return undefined;
  for (const key of ["show", "exec", "valid"] as const) {
    const v = t[key];
    if (v === undefined) continue;
    const texts = typeof v === "string" ? [[undefined, v] as const] : Object.entries(v);
    for (const [device, text] of texts) {
      const at = device === undefined ? [...path, key] : [...path, key, device];
      try {
        if (isTemplate(text)) parseTemplate(text);
        else if (key === "valid") parseExpression(text);
      } catch (e) {
        if (!(e instanceof ExpressionSyntaxError)) throw e;
        diagnostics.push({
          code: "bad-value",
          message: `test "${name}": ${key}: ${e.message} (at character ${e.offset + 1} of "${text.trim()}")`,
          path: at,
        });
        ok = false;
      }
    }
  }
  if (!ok) return undefined;
  const skip =
    t.config !== undefined
      ? "config deploys netlab's Jinja2 configuration templates, which wirelab does not render"
      : t.suzieq !== undefined
        ? "suzieq runs SuzieQ, which wirelab does not run"
        : undefined;
  return {
    name,
    nodes,
    path,
    ...(t.description !== undefined ? { description: t.description } : {}),
    ...(t.plugin !== undefined ? { plugin: t.plugin } : {}),
    ...(t.show !== undefined ? { show: t.show } : {}),
    ...(t.exec !== undefined ? { exec: t.exec } : {}),
    ...(t.valid !== undefined ? { valid: t.valid } : {}),
    ...(wait !== undefined ? { wait } : {}),
    ...(t.wait_msg !== undefined ? { waitMsg: t.wait_msg } : {}),
    ...(t.level !== undefined ? { level: t.level } : {}),
    ...(t.stop_on_error !== undefined ? { stopOnError: t.stop_on_error } : {}),
    ...(t.pass !== undefined ? { pass: t.pass } : {}),
    ...(t.fail !== undefined ? { fail: t.fail } : {}),
    ...(skip ? { skip } : {}),
  };
}

/**
 * A test's `wait` in seconds: a number, or a `defaults.const.validate`
 * name, the longest of its value and a device's own (`validate.frr.NAME`)
 * for the devices the lab has (netlab's `lookup_wait_time`).
 */
function waitSeconds(
  wait: number | string | undefined,
  name: string,
  path: SourcePath,
  ctx: TestContext,
  diagnostics: Diagnostic[],
): number | undefined {
  if (wait === undefined || typeof wait === "number") return wait;
  const base = ctx.waitTimes[wait];
  let seconds = typeof base === "number" ? base : undefined;
  const devices = new Set([...ctx.nodes.values()].map((n) => n.device));
  for (const d of devices) {
    const own = ctx.waitTimes[d];
    const v =
      own !== null && typeof own === "object" ? (own as Record<string, unknown>)[wait] : undefined;
    if (typeof v === "number" && v > (seconds ?? -1)) seconds = v;
  }
  if (seconds === undefined) {
    const known = Object.keys(ctx.waitTimes).filter((k) => typeof ctx.waitTimes[k] === "number");
    diagnostics.push({
      code: "bad-value",
      message: `test "${name}": wait "${wait}" is not a wait time of defaults.const.validate${known.length ? ` (it has ${known.slice(0, 10).join(", ")}${known.length > 10 ? ", …" : ""})` : " (it has none)"}; give seconds or define it`,
      path: [...path, "wait"],
    });
  }
  return seconds;
}

/** A plugin call: an expression calling one of netlab's plugin functions the nodes' devices have. */
function checkPlugin(
  text: string,
  name: string,
  nodes: readonly string[],
  path: SourcePath,
  ctx: TestContext,
  diagnostics: Diagnostic[],
): boolean {
  let call: ReturnType<typeof parseExpression>;
  try {
    call = parseExpression(text);
  } catch (e) {
    if (!(e instanceof ExpressionSyntaxError)) throw e;
    diagnostics.push({
      code: "bad-value",
      message: `test "${name}": plugin: ${e.message} (at character ${e.offset + 1} of "${text.trim()}")`,
      path,
    });
    return false;
  }
  if (call.type !== "call" || call.callee.type !== "name") {
    diagnostics.push({
      code: "bad-value",
      message: `test "${name}": plugin is a call of a validation plugin, like ospf_neighbor(nodes.r1.ospf.router_id); got "${text.trim()}"`,
      path,
    });
    return false;
  }
  const fn = call.callee.name;
  const devices = pluginDevices(fn);
  if (!devices) {
    diagnostics.push({
      code: "unsupported",
      message: `test "${name}": "${fn}" is not one of netlab's validation plugins for FRR and Linux that wirelab runs (${Object.keys(VALIDATION_PLUGINS).join(", ")})`,
      path,
    });
    return false;
  }
  for (const n of nodes) {
    const device = ctx.nodes.get(n)?.device ?? "linux";
    if (!(devices as readonly string[]).includes(device)) {
      diagnostics.push({
        code: "unsupported",
        message: `test "${name}": ${fn} is a check of ${devices.join(" and ")} devices; node "${n}" is ${device}`,
        path,
      });
      return false;
    }
  }
  return true;
}
