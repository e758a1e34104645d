/**
 * The order and timing of netlab's tests (netlab's `cli/validate/tests.py`),
 * on a fake clock and a fake runner: retries until `wait` runs out, a wait
 * counted from the lab's start, warnings, `stop_on_error`, `--nowait`, and
 * what each command was. The commands' output is FRR 8.4's, recorded.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { RunResult } from "../../src/exec.js";
import { planText } from "../../src/plan/load-plan.js";
import type { LabPlan } from "../../src/plan/types.js";
import type { NodeSession } from "../../src/providers/session.js";
import { type CheckEvent, runChecks } from "../../src/validate/netlab/run.js";

const FULL = readFileSync("test/fixtures/frr-8.4/ospf-neighbor.json", "utf8");
const NONE = "{\n}\n";

const topology = (validate: string[]) =>
  [
    "name: wlunit",
    "module: [ospf]",
    "defaults.device: frr",
    "nodes:",
    "  r1:",
    "  r2: { ospf.router_id: 10.0.0.2 }",
    "  h: { device: linux }",
    "links: [r1-r2, r1-h]",
    "validate:",
    ...validate.map((l) => `  ${l}`),
  ].join("\n");

/** A lab on a fake clock: `answer` says what a node's command prints at a time (ms from the start). */
function fakeLab(
  validate: string[],
  answer: (node: string, command: string, atMs: number) => Partial<RunResult>,
) {
  const plan: LabPlan = planText(topology(validate), "t.yml", { env: {} }).plan;
  let clock = 1_000_000;
  const start = clock;
  const calls: { node: string; command: string; atMs: number }[] = [];
  const byNamespace = new Map(
    plan.nodes.map((n) => [n.kind === "linux" ? n.namespace : "", n.name]),
  );
  const run = async (file: string, args: readonly string[]): Promise<RunResult> => {
    const argv = [file, ...args];
    const ns =
      argv.find((a) => byNamespace.has(a)) ??
      /--net=\/run\/netns\/([^ ]+)/.exec(argv.join(" "))?.[1];
    const node = byNamespace.get(ns ?? "") ?? "?";
    const command = args[args.length - 1] as string;
    calls.push({ node, command, atMs: clock - start });
    clock += 50; // each command takes 50 ms
    return {
      exitCode: 0,
      stdout: "",
      stderr: "",
      durationMs: 50,
      ...answer(node, command, clock - start),
    } as RunResult;
  };
  const session = { plan, run } as unknown as NodeSession;
  const events: CheckEvent[] = [];
  const go = (options: { noWait?: boolean; startedMsAgo?: number } = {}) =>
    runChecks(plan, session, {
      labStartedAt: start - (options.startedMsAgo ?? 0),
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
      onEvent: (e) => events.push(e),
      ...(options.noWait ? { noWait: true } : {}),
    });
  return { go, calls, events, elapsed: () => clock - start };
}

const adjacency = (extra: string[] = []) => [
  "adj:",
  "  nodes: [r1]",
  "  plugin: ospf_neighbor(nodes.r2.ospf.router_id)",
  ...extra.map((l) => `  ${l}`),
];

describe("netlab's test runner", () => {
  it("retries a test with wait each second until it passes, and says it is waiting", async () => {
    const lab = fakeLab(adjacency(["wait: 30", "wait_msg: Waiting for OSPF"]), (_n, _c, at) => ({
      stdout: at > 4000 ? FULL : NONE,
    }));
    const [r] = await lab.go();
    expect(r?.status).toBe("pass");
    expect(lab.calls[0]).toEqual({
      node: "r1",
      command: "show ip ospf neighbor 10.0.0.2 json",
      atMs: 0,
    });
    // Attempts at 0, 1.05, 2.1, 3.15 s fail; the one at 4.2 s passes, done at 4.25 s.
    expect(lab.calls.map((c) => c.atMs)).toEqual([0, 1050, 2100, 3150, 4200]);
    expect(r?.message).toBe("Test succeeded in 4.3 seconds");
    const waiting = lab.events.filter((e) => e.type === "waiting");
    expect(waiting.map((e) => (e as { message: string }).message)).toEqual([
      "Waiting for OSPF (retrying for 30 seconds)",
    ]);
  });

  it("fails a test once its wait is over, with the last attempt's reason", async () => {
    const lab = fakeLab(adjacency(["wait: 5"]), () => ({ stdout: NONE }));
    const [r] = await lab.go();
    expect(r?.status).toBe("fail");
    expect(lab.calls.length).toBe(6);
    expect(lab.calls.at(-1)?.atMs).toBeGreaterThanOrEqual(5000);
    expect(r?.nodes).toEqual([
      { node: "r1", status: "fail", message: expect.stringContaining("10.0.0.2") },
    ]);
  });

  it("runs each test once with --nowait", async () => {
    const lab = fakeLab(adjacency(["wait: 30"]), () => ({ stdout: NONE }));
    const [r] = await lab.go({ noWait: true });
    expect([r?.status, lab.calls.length]).toEqual(["fail", 1]);
  });

  it("makes a failed level: warning test a warning", async () => {
    const lab = fakeLab(adjacency(["level: warning"]), () => ({ stdout: NONE }));
    const [r] = await lab.go();
    expect(r?.status).toBe("warning");
  });

  it("counts a test of wait alone from the lab's start, then from the last wait", async () => {
    const lab = fakeLab(["settle: { wait: 10 }", "again: { wait: 3 }", ...adjacency()], () => ({
      stdout: FULL,
    }));
    const results = await lab.go({ startedMsAgo: 4000 });
    expect(results.map((r) => r.status)).toEqual(["pass", "pass", "pass"]);
    // 10 s after a start 4 s ago: 6 s; then 3 s more.
    expect(lab.calls[0]?.atMs).toBe(9000);
  });

  it("does not wait for a lab that started long enough ago", async () => {
    const lab = fakeLab(["settle: { wait: 10 }", ...adjacency()], () => ({ stdout: FULL }));
    await lab.go({ startedMsAgo: 60_000 });
    expect(lab.calls[0]?.atMs).toBe(0);
  });

  it("stops at a failed stop_on_error test", async () => {
    const lab = fakeLab(
      [...adjacency(["stop_on_error: true"]), "after:", "  nodes: [h]", "  exec: 'true'"],
      () => ({ stdout: NONE }),
    );
    const results = await lab.go();
    expect(results.map((r) => [r.check.name, r.status])).toEqual([["adj", "fail"]]);
  });

  it("skips show on a Linux node, and checks exec output with valid", async () => {
    const lab = fakeLab(
      [
        "route:",
        "  nodes: [h, r1]",
        "  exec: ip route",
        "  valid: \"'10.0.0.0/24' in stdout\"",
        "frr:",
        "  nodes: [h]",
        "  show: ip ospf neighbor json",
        "  valid: neighbors",
      ],
      (node) => ({ stdout: node === "h" ? "10.0.0.0/24 via 172.16.0.1 dev eth1\n" : "" }),
    );
    const [route, frr] = await lab.go();
    expect(route?.nodes.map((n) => [n.node, n.status])).toEqual([
      ["h", "pass"],
      ["r1", "fail"],
    ]);
    expect(lab.calls.slice(0, 2).map((c) => [c.node, c.command])).toEqual([
      ["h", "ip route"],
      ["r1", "ip route"],
    ]);
    expect(frr?.status).toBe("skipped");
  });
});
