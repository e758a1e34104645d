/**
 * Runs netlab's tests of a lab (netlab's `netlab validate`, netlab docs
 * "Lab Validation Tests"; its order and timing as netlab's
 * `cli/validate/tests.py` has them): each test in order on each of its
 * nodes; a test with `wait` is retried on the nodes that have not passed
 * until it passes or `wait` seconds have gone by, and only then is a node's
 * failure final; a test of `wait` alone waits until `wait` seconds after
 * the lab started (or after the last test with a `wait`). A `level:
 * warning` test that fails is a warning. `stop_on_error` stops the run at
 * a failure.
 */

import { netlabView } from "../../plan/netlab-view.js";
import type { CheckPlan, LabPlan, NodePlan } from "../../plan/types.js";
import { nodeKind } from "../../providers/kinds.js";
import type { NodeSession } from "../../providers/session.js";
import {
  EvaluationError,
  evaluate,
  type Scope,
  truthy,
  type Value,
} from "../../topology/expression/evaluate.js";
import { parseExpression } from "../../topology/expression/parse.js";
import { parseTemplate, renderTemplate } from "../../topology/expression/template.js";
import { bind, CheckFailed } from "./plugins/common.js";
import { PLUGINS, type ValidationPlugin } from "./plugins/index.js";
import { parseIsisRoutes } from "./plugins/isis.js";

/** How a test ended on a node, or as a whole. */
export type CheckStatus = "pass" | "fail" | "warning" | "skipped";

/** One node's outcome of a test. */
export interface NodeOutcome {
  readonly node: string;
  readonly status: CheckStatus;
  /** What the check said (the plugin's message, or why it failed). */
  readonly message: string;
}

/** A test's outcome. */
export interface CheckResult {
  readonly check: CheckPlan;
  /** `pass` also for a wait that was waited. */
  readonly status: CheckStatus;
  readonly nodes: readonly NodeOutcome[];
  /** From its start to its end, in ms. */
  readonly durationMs: number;
  /** Why it was skipped, or what a wait did. */
  readonly message?: string;
}

/** What the run reports as it goes. */
export type CheckEvent =
  | { readonly type: "begin"; readonly checks: readonly CheckPlan[] }
  | { readonly type: "start"; readonly check: CheckPlan }
  | { readonly type: "waiting"; readonly check: CheckPlan; readonly message: string }
  | { readonly type: "node"; readonly check: CheckPlan; readonly outcome: NodeOutcome }
  | { readonly type: "done"; readonly result: CheckResult };

/** Options of {@link runChecks}. */
export interface RunChecksOptions {
  /** When the lab was started, in ms since the epoch (a test of `wait` alone counts from it). */
  readonly labStartedAt: number;
  /** Called as the run goes. */
  readonly onEvent?: (e: CheckEvent) => void;
  /** Do not wait or retry (netlab's `--nowait`): each test runs once. @default false */
  readonly noWait?: boolean;
  readonly signal?: AbortSignal;
  /** Give up on one command after this many ms. @default 30_000 */
  readonly commandTimeoutMs?: number;
  /** Sleeps (tests replace it). @default a timer */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The clock, in ms. @default Date.now */
  readonly now?: () => number;
}

/** Seconds between "still waiting" messages (netlab's). */
const WAIT_MESSAGE_EVERY_MS = 15_000;

/** A sleep that an abort cuts short. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Runs the plan's netlab tests.
 *
 * @returns each test's result, in order (up to a failed `stop_on_error` test)
 */
export async function runChecks(
  plan: LabPlan,
  session: NodeSession,
  options: RunChecksOptions,
): Promise<CheckResult[]> {
  const now = options.now ?? Date.now;
  const pause = options.sleep ?? sleep;
  const view = netlabView(plan);
  const results: CheckResult[] = [];
  let lastWait = options.labStartedAt;
  const emit = (e: CheckEvent) => options.onEvent?.(e);
  if (plan.checks?.length) emit({ type: "begin", checks: plan.checks });
  for (const check of plan.checks ?? []) {
    if (options.signal?.aborted) break;
    emit({ type: "start", check });
    const started = now();
    const finish = (r: Omit<CheckResult, "durationMs" | "check">): CheckResult => {
      const result = { check, durationMs: now() - started, ...r };
      results.push(result);
      emit({ type: "done", result });
      return result;
    };
    if (check.skip) {
      finish({ status: "skipped", nodes: [], message: check.skip });
      continue;
    }
    if (check.nodes.length > 0 && !check.plugin && !check.show && !check.exec) {
      // netlab: a test of nodes and a wait, nothing to run, passes on each node at once.
      const nodes = check.nodes.map(
        (node): NodeOutcome => ({
          node,
          status: "pass",
          message: check.pass ?? `Nothing to check on ${node}`,
        }),
      );
      for (const outcome of nodes) emit({ type: "node", check, outcome });
      finish({ status: "pass", nodes });
      if (check.wait !== undefined) lastWait = now();
      continue;
    }
    if (check.nodes.length === 0) {
      if (check.wait === undefined) {
        finish({
          status: "skipped",
          nodes: [],
          message: "There are no nodes specified for this test, skipping...",
        });
        continue;
      }
      // A wait alone; with stop_on_error, a barrier that stops the run after a failure.
      if (check.stopOnError && results.some((r) => r.status === "fail")) {
        finish({ status: "fail", nodes: [], message: "Validation failed due to previous errors" });
        break;
      }
      if (check.level === "warning") {
        finish({ status: "warning", nodes: [], message: check.fail ?? "Test failed" });
        lastWait = now();
        continue;
      }
      const until = lastWait + (check.wait ?? 0) * 1000;
      if (!options.noWait && until > now()) {
        emit({
          type: "waiting",
          check,
          message: check.waitMsg ?? `Waiting for ${check.wait} seconds`,
        });
        while (now() < until && !options.signal?.aborted)
          await pause(Math.min(until - now(), 5000), options.signal);
      }
      finish({
        status: "pass",
        nodes: [],
        message:
          check.pass ??
          (check.stopOnError ? "No errors so far, moving on" : `Waited ${check.wait} seconds`),
      });
      lastWait = now();
      continue;
    }
    const deadline = started + (options.noWait ? 0 : (check.wait ?? 0) * 1000);
    let remaining = [...check.nodes];
    const outcomes: NodeOutcome[] = [];
    let said = 0;
    let nextSay = now();
    while (remaining.length > 0 && !options.signal?.aborted) {
      const final = now() >= deadline;
      const left: string[] = [];
      for (const name of remaining) {
        const node = plan.nodes.find((n) => n.name === name) as NodePlan;
        const o = await runOnNode(check, node, view, session, options.commandTimeoutMs ?? 30_000);
        if (o.status === "pass" || o.status === "skipped" || final) {
          outcomes.push(o);
          emit({ type: "node", check, outcome: o });
        } else left.push(name);
      }
      remaining = left;
      if (remaining.length === 0) break;
      if (check.waitMsg && now() >= nextSay) {
        const secondsLeft = Math.max(0, Math.round((deadline - now()) / 1000));
        emit({
          type: "waiting",
          check,
          message: `${check.waitMsg} (${said === 0 ? `retrying for ${check.wait} seconds` : `${secondsLeft} seconds left`})`,
        });
        said++;
        nextSay = now() + WAIT_MESSAGE_EVERY_MS;
      }
      await pause(1000, options.signal);
    }
    const failed = outcomes.some((o) => o.status === "fail" || o.status === "warning");
    const allSkipped = outcomes.length > 0 && outcomes.every((o) => o.status === "skipped");
    const status: CheckStatus = allSkipped
      ? "skipped"
      : failed
        ? check.level === "warning"
          ? "warning"
          : "fail"
        : "pass";
    const seconds = ((now() - started) / 1000).toFixed(1);
    finish({
      status,
      nodes: outcomes,
      ...(status === "pass"
        ? { message: check.pass ?? `Test succeeded in ${seconds} seconds` }
        : {}),
    });
    if (check.wait !== undefined) lastWait = now();
    if (status === "fail" && check.stopOnError) break;
  }
  return results;
}

/** What a test runs on one node and whether it passed. */
async function runOnNode(
  check: CheckPlan,
  node: NodePlan,
  view: Record<string, Value>,
  session: NodeSession,
  timeoutMs: number,
): Promise<NodeOutcome> {
  const device = node.device?.name ?? "linux";
  const nodes = view.nodes as Record<string, Value>;
  const nodeView = nodes[node.name] as Record<string, Value>;
  const fail = (why: string): NodeOutcome => ({
    node: node.name,
    status: check.level === "warning" ? "warning" : "fail",
    message: check.fail ?? why,
  });
  try {
    let plugin: { fn: ValidationPlugin; bound: ReturnType<typeof bind> } | undefined;
    let action: "show" | "exec";
    let command: string;
    if (check.plugin) {
      const call = parseExpression(check.plugin);
      if (call.type !== "call" || call.callee.type !== "name")
        throw new CheckFailed("plugin is not a call");
      const fn = PLUGINS[call.callee.name as keyof typeof PLUGINS];
      const scope: Scope = { ...view, node: nodeView };
      const args = call.args.map((a) => evaluate(a, scope));
      const kwargs: Record<string, Value> = {};
      for (const k of call.kwargs) kwargs[k.name] = evaluate(k.value, scope);
      const bound = bind(fn.name, fn.params, args, kwargs, fn.rest);
      plugin = { fn, bound };
      action = fn.action;
      command = fn.command(bound);
    } else {
      action = check.show !== undefined ? "show" : "exec";
      const written = forDevice(action === "show" ? check.show : check.exec, device);
      if (written === undefined)
        return {
          node: node.name,
          status: "skipped",
          message: `Test action not defined for device ${device} / node ${node.name}`,
        };
      command = renderTemplate(parseTemplate(written), { ...nodeView, hostvars: nodes });
    }
    if (action === "show" && device !== "frr")
      return {
        node: node.name,
        status: "skipped",
        message: `show runs FRR's show commands; ${node.name} is a ${device} node`,
      };
    const argv = action === "show" ? ["vtysh", "-c", `show ${command}`] : ["sh", "-c", command];
    const r = await nodeKind(node).exec(session, node, argv, { timeoutMs });
    const out = r.stdout;
    let result: Value;
    if (action === "exec") result = { stdout: out };
    else if (plugin?.fn.textOutput) result = parseIsisRoutes(out);
    else {
      const parsed = parseJson(out);
      if (parsed instanceof Error)
        return fail(
          `Failed to parse the output of "show ${command}" on ${node.name} as JSON: ${firstLine(out || r.stderr) || parsed.message}`,
        );
      result = parsed;
    }
    if (plugin) {
      const msg = plugin.fn.valid(result, plugin.bound);
      return { node: node.name, status: "pass", message: msg };
    }
    const validText = forDevice(check.valid, device);
    if (validText === undefined) {
      return r.exitCode === 0 || action === "show"
        ? {
            node: node.name,
            status: "pass",
            message: check.pass ?? `Validation succeeded on ${node.name}`,
          }
        : fail(`Failed to execute command "${command}" on ${node.name} (exit code ${r.exitCode})`);
    }
    const expr = parseExpression(
      renderTemplate(parseTemplate(validText), { ...nodeView, hostvars: nodes }),
    );
    const scope: Scope = action === "exec" ? { stdout: out } : scopeOf(result);
    let ok: boolean;
    try {
      ok = truthy(evaluate(expr, scope));
    } catch (e) {
      if (!(e instanceof EvaluationError)) throw e;
      ok = false;
    }
    return ok
      ? { node: node.name, status: "pass", message: `Validation succeeded on ${node.name}` }
      : fail(`Test failed for node ${node.name}`);
  } catch (e) {
    if (e instanceof CheckFailed || e instanceof EvaluationError) return fail(e.message);
    return fail((e as Error).message.split("\n")[0] ?? String(e));
  }
}

/** A command for a node's device: one for all, or the device's entry. */
function forDevice(
  v: string | Readonly<Record<string, string>> | undefined,
  device: string,
): string | undefined {
  if (v === undefined) return undefined;
  return typeof v === "string" ? v : v[device];
}

/** The names a `valid` expression sees for a `show` result: its keys, and `result` for all of it (netlab's). */
function scopeOf(result: Value): Scope {
  if (result !== null && typeof result === "object" && !Array.isArray(result))
    return { ...(result as Record<string, Value>), result };
  return { result };
}

/** netlab's `parse_JSON`: the output from its first `{` or `[` on. */
function parseJson(out: string): Value | Error {
  const t = out.trim();
  const i = [t.indexOf("{"), t.indexOf("[")].filter((x) => x >= 0).sort((a, b) => a - b)[0];
  try {
    return JSON.parse(i === undefined ? t : t.slice(i)) as Value;
  } catch (e) {
    return e as Error;
  }
}

const firstLine = (s: string) => s.trim().split("\n")[0] ?? "";
