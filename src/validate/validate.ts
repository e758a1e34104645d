/**
 * `validate`: run reachability tests in a running lab with real pings.
 */
import pMap from "p-map";
import { type LabDeps, resolveDeps } from "../lab/deps.js";
import { findNode } from "../lab/exec.js";
import type { LabTarget } from "../lab/resolve.js";
import { withSession } from "../lab/session.js";
import { requireLabOrUnmanaged } from "../lab/unmanaged.js";
import type { Reporter } from "../log.js";
import { namespaceOf } from "../plan/kinds/index.js";
import type { NodePlan } from "../plan/types.js";
import { nodeKind } from "../providers/kinds.js";
import type { NodeSession } from "../providers/session.js";
import { PINGS_PER_NODE, type PingOutcome, parsePingOutput, pingScript } from "./batch.js";
import { currentTests } from "./current-tests.js";
import { type CheckEvent, type CheckResult, runChecks } from "./netlab/run.js";
import { type ValidationTest, validationTests } from "./tests.js";
import { hostNeighbourBudget, type NeighbourBudget, planWaves } from "./waves.js";

/** Nodes running their pings at once unless told otherwise (each runs a few pings at once). */
export const DEFAULT_NODE_CONCURRENCY = 8;

/** Tries of a ping expected to succeed unless told otherwise. */
export const DEFAULT_PING_ATTEMPTS = 3;

/** Options of {@link validateLab}. */
export interface ValidateOptions extends LabDeps {
  readonly reporter?: Reporter;
  /** Also ping every directly connected neighbour. @default true, false for a netlab topology (netlab's validate runs its tests only) */
  readonly neighbours?: boolean;
  /** Called as netlab's tests run (their progress and each node's outcome). */
  readonly onCheck?: (e: CheckEvent) => void;
  /** Run netlab's tests once, without waiting or retrying (netlab's `--nowait`). @default false */
  readonly noWait?: boolean;
  /** Abort netlab's tests (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** Device of nodes that name none, for a lab without a record read from its file (netlab's `-d`). */
  readonly device?: string;
  /** Nodes running their pings at once. @default DEFAULT_NODE_CONCURRENCY */
  readonly concurrency?: number;
  /** Tries before a ping expected to succeed counts as failed (1 s each). @default DEFAULT_PING_ATTEMPTS */
  readonly attempts?: number;
  /** Room for new host neighbour entries per wave. @default hostNeighbourBudget() */
  readonly budget?: NeighbourBudget;
}

/** Outcome of one test. */
export interface TestResult {
  readonly test: ValidationTest;
  /** The outcome matched `expect`. */
  readonly passed: boolean;
  /** Whether any echo reply came back. */
  readonly replied: boolean;
  /** Round-trip time of the successful ping in ms. */
  readonly rttMs?: number;
  /** What ping said when it got no reply. */
  readonly detail?: string;
}

/** Every test's outcome and the counts. */
export interface ValidateResult {
  readonly lab: string;
  /** wirelab's reachability tests and the neighbour pings. */
  readonly results: readonly TestResult[];
  readonly passed: number;
  readonly failed: number;
  /** netlab's tests, in order. */
  readonly checks: readonly CheckResult[];
  /** netlab's tests that passed, failed, failed as warnings, and were skipped. */
  readonly checkCounts: {
    readonly passed: number;
    readonly failed: number;
    readonly warnings: number;
    readonly skipped: number;
  };
}

/**
 * Runs the lab's tests: each node's pings as one command in the node (see
 * `batch.ts`), nodes a few at a time, in waves that the host's neighbour
 * tables can hold (see `waves.ts`). A node that cannot run its pings (a VM
 * that does not answer) fails its own tests, with the reason; the others
 * run.
 *
 * @throws {LabError} when the lab is not up
 * @throws {PermissionError} without root
 */
export async function validateLab(
  target: LabTarget,
  options: ValidateOptions = {},
): Promise<ValidateResult> {
  const deps = resolveDeps(options);
  deps.preflight.requireRoot("validate");
  // A lab built by an exported setup.sh has no record: its topology file tells its namespaces.
  const recorded = await requireLabOrUnmanaged(deps, target, deps.run, options.device);
  const state = {
    ...recorded,
    plan: await currentTests(recorded, target, options.device, options.reporter),
  };
  deps.preflight.requireTools(["ip", "ping"]);
  const tests = validationTests(state.plan, options.neighbours ?? state.plan.format !== "netlab");
  const attempts = options.attempts ?? DEFAULT_PING_ATTEMPTS;
  const inHost = (name: string) => {
    const node = state.plan.nodes.find((n) => n.name === name);
    return node !== undefined && namespaceOf(node) !== undefined;
  };
  const waves = planWaves(tests, inHost, options.budget ?? hostNeighbourBudget());
  const results: TestResult[] = new Array(tests.length);
  let done = 0;
  let checks: CheckResult[] = [];
  await withSession(state, deps, async (s) => {
    // netlab's tests first: their waits let the protocols converge before the pings.
    checks = await runChecks(state.plan, s, {
      labStartedAt: Date.parse(state.updated) || Date.now(),
      ...(options.onCheck ? { onEvent: options.onCheck } : {}),
      ...(options.noWait ? { noWait: true } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    for (const [w, wave] of waves.entries()) {
      if (w > 0) await flushNeighbours(s, state.plan.nodes, waves[w - 1] ?? [], tests, inHost);
      // One batch per source node, in the order of their first test.
      const bySource = new Map<string, number[]>();
      for (const i of wave) {
        const from = (tests[i] as ValidationTest).from;
        bySource.set(from, [...(bySource.get(from) ?? []), i]);
      }
      await pMap(
        [...bySource],
        async ([from, indexes]) => {
          const batch = indexes.map((i) => tests[i] as ValidationTest);
          const outcomes = await runBatch(s, findNode(state, from), batch, attempts);
          indexes.forEach((i, k) => {
            results[i] = outcomes[k] as TestResult;
          });
          done += indexes.length;
          options.reporter?.progress?.({ step: "validating", done, total: tests.length });
        },
        { concurrency: options.concurrency ?? DEFAULT_NODE_CONCURRENCY },
      );
    }
  });
  const passed = results.filter((r) => r.passed).length;
  const count = (s: CheckResult["status"]) => checks.filter((c) => c.status === s).length;
  return {
    lab: state.lab,
    results,
    passed,
    failed: results.length - passed,
    checks,
    checkCounts: {
      passed: count("pass"),
      failed: count("fail"),
      warnings: count("warning"),
      skipped: count("skipped"),
    },
  };
}

/** Runs one node's pings; every test fails with the reason when the node cannot run them. */
async function runBatch(
  s: NodeSession,
  node: NodePlan,
  tests: readonly ValidationTest[],
  attempts: number,
): Promise<TestResult[]> {
  let outcomes: Map<number, PingOutcome>;
  try {
    const r = await nodeKind(node).exec(s, node, ["sh", "-c", pingScript(tests, attempts)], {
      // Every ping may wait its full time: 1 s per try, a few at a time.
      timeoutMs: 10_000 + Math.ceil(tests.length / PINGS_PER_NODE) * attempts * 1_500,
    });
    outcomes = parsePingOutput(r.stdout);
  } catch (e) {
    const why = `could not run ping in ${node.name}: ${(e as Error).message.split("\n")[0]}`;
    return tests.map((test) => ({ test, passed: false, replied: false, detail: why }));
  }
  return tests.map((test, i) => {
    const o = outcomes.get(i);
    if (!o) return { test, passed: false, replied: false, detail: `no result from ${node.name}` };
    const replied = o.exitCode === 0;
    const rtt = /= ([\d.]+)\//.exec(o.output);
    return {
      test,
      passed: replied === (test.expect !== "fail"),
      replied,
      ...(replied && rtt?.[1] ? { rttMs: Number(rtt[1]) } : {}),
      ...(replied ? {} : { detail: pingDetail(o.output) }),
    };
  });
}

/** Empties the neighbour tables of the namespace nodes a wave's tests touched. */
async function flushNeighbours(
  s: NodeSession,
  nodes: readonly NodePlan[],
  wave: readonly number[],
  tests: readonly ValidationTest[],
  inHost: (node: string) => boolean,
): Promise<void> {
  const touched = new Set<string>();
  for (const i of wave) {
    const t = tests[i] as ValidationTest;
    for (const n of [t.from, t.targetNode]) if (n !== undefined && inHost(n)) touched.add(n);
  }
  await pMap(
    nodes.filter((n) => touched.has(n.name)),
    (n) => nodeKind(n).exec(s, n, ["ip", "neigh", "flush", "all"]),
    { concurrency: DEFAULT_NODE_CONCURRENCY },
  );
}

function pingDetail(output: string): string {
  const loss = /(\d+)% packet loss/.exec(output);
  if (loss) return `no reply (${loss[1]}% packet loss)`;
  const last = output.trim().split("\n").pop();
  return last ? last.replace(/^ping: /, "") : "no reply";
}
