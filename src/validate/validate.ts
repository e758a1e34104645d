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
import type { NodePlan } from "../plan/types.js";
import { nodeKind } from "../providers/kinds.js";
import type { NodeSession } from "../providers/session.js";
import { type ValidationTest, validationTests } from "./tests.js";

/** Pings in flight at once unless told otherwise. */
export const DEFAULT_PING_CONCURRENCY = 16;

/** Tries of a ping expected to succeed unless told otherwise. */
export const DEFAULT_PING_ATTEMPTS = 3;

/** Options of {@link validateLab}. */
export interface ValidateOptions extends LabDeps {
  readonly reporter?: Reporter;
  /** Also ping every directly connected neighbour. @default true */
  readonly neighbours?: boolean;
  /** Pings in flight at once. @default DEFAULT_PING_CONCURRENCY */
  readonly concurrency?: number;
  /** Tries before a ping expected to succeed counts as failed (1 s each). @default DEFAULT_PING_ATTEMPTS */
  readonly attempts?: number;
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
  readonly results: readonly TestResult[];
  readonly passed: number;
  readonly failed: number;
}

/**
 * Runs the lab's tests.
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
  const state = await requireLabOrUnmanaged(deps, target);
  deps.preflight.requireTools(["ip", "ping"]);
  const tests = validationTests(state.plan, options.neighbours ?? true);
  let done = 0;
  const results = await withSession(state, deps, (s) =>
    pMap(
      tests,
      async (test) => {
        const r = await ping(
          s,
          findNode(state, test.from),
          test,
          options.attempts ?? DEFAULT_PING_ATTEMPTS,
        );
        options.reporter?.progress?.({ step: "validating", done: ++done, total: tests.length });
        return r;
      },
      { concurrency: options.concurrency ?? DEFAULT_PING_CONCURRENCY },
    ),
  );
  const passed = results.filter((r) => r.passed).length;
  return { lab: state.lab, results, passed, failed: results.length - passed };
}

async function ping(
  s: NodeSession,
  node: NodePlan,
  test: ValidationTest,
  attempts: number,
): Promise<TestResult> {
  const family: "-4" | "-6" = test.family === "ipv6" ? "-6" : "-4";
  if (test.expect === "fail") {
    // Two probes, so a lost first packet (ARP) cannot make a reachable target look unreachable.
    const r = await nodeKind(node).exec(s, node, pingArgv(family, 2, test.target));
    const replied = r.exitCode === 0;
    return {
      test,
      passed: !replied,
      replied,
      ...(replied ? {} : { detail: pingDetail(r.stdout, r.stderr) }),
    };
  }
  let last = "";
  for (let i = 0; i < attempts; i++) {
    const r = await nodeKind(node).exec(s, node, pingArgv(family, 1, test.target));
    if (r.exitCode === 0) {
      const rtt = /= ([\d.]+)\//.exec(r.stdout);
      return { test, passed: true, replied: true, ...(rtt?.[1] ? { rttMs: Number(rtt[1]) } : {}) };
    }
    last = pingDetail(r.stdout, r.stderr);
  }
  return { test, passed: false, replied: false, detail: last };
}

/** iputils ping: numeric, quiet, `count` probes 0.2 s apart, 1 s to wait for a reply. */
function pingArgv(family: "-4" | "-6", count: number, target: string): string[] {
  return ["ping", family, "-n", "-q", "-c", String(count), "-i", "0.2", "-W", "1", target];
}

function pingDetail(stdout: string, stderr: string): string {
  const err = stderr.trim().split("\n").pop();
  if (err) return err.replace(/^ping: /, "");
  const loss = /(\d+)% packet loss/.exec(stdout);
  return loss ? `no reply (${loss[1]}% packet loss)` : "no reply";
}
