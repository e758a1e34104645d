/**
 * The runtime devices, by name: what a lab command asks of the software in
 * a running node (a router's daemons, its running configuration), answered
 * once per device. Questions go through the node's kind (`exec`), so they
 * are the same for a namespace and a VM; only starting and stopping differ:
 * the host runs a namespace router's FRR (`frr/host.ts`), a VM's guest runs
 * its own at boot.
 */
import { LabError } from "../errors.js";
import { daemonsEnabled } from "../plan/devices/frr-daemons.js";
import { deviceOf } from "../plan/devices/index.js";
import type { NodePlan } from "../plan/types.js";
import type { DeviceName } from "../topology/types.js";
import { stopRouter } from "./frr/host.js";
import { bringUpRouter, hostRouters } from "./frr/provider.js";
import { nodeKind } from "./kinds.js";
import { FRR_READY_TIMEOUT_MS } from "./router-files.js";
import type { NodeSession } from "./session.js";

/** The software of a node as `status` shows it. */
export interface DeviceState {
  /** Device name, e.g. `frr`. */
  readonly device: string;
  /** Daemons that answer. */
  readonly running: readonly string[];
  /** Daemons it should run that do not answer. */
  readonly missing: readonly string[];
}

/** What a running node's device can do. */
export interface DeviceRuntime {
  /** Stops what the host runs for the node (before the node is rebuilt or restarted). */
  stop(s: NodeSession, node: NodePlan): Promise<void>;
  /**
   * Starts it (after the node is back) and resolves when it answers.
   * @throws {LabError} naming what did not start
   */
  start(s: NodeSession, node: NodePlan): Promise<void>;
  /** Its software, read live; undefined for a plain host. */
  state(s: NodeSession, node: NodePlan): Promise<DeviceState | undefined>;
  /**
   * Its running configuration (FRR's `show running-config`).
   * @throws {LabError} when it has none, or it does not answer
   */
  runningConfig(s: NodeSession, node: NodePlan): Promise<string>;
}

const linux: DeviceRuntime = {
  stop: async () => undefined,
  start: async () => undefined,
  state: async () => undefined,
  async runningConfig(_s, node) {
    throw new LabError(
      `"${node.name}" is a Linux host (device linux): it has no router configuration`,
    );
  },
};

/** Runs vtysh in a router; its output, or a LabError saying why not. */
async function vtysh(s: NodeSession, node: NodePlan, command: string): Promise<string> {
  const r = await nodeKind(node).exec(s, node, ["vtysh", "-c", command], { timeoutMs: 30_000 });
  if (r.exitCode !== 0)
    throw new LabError(
      `${node.name}: vtysh -c '${command}' failed: ${(r.stderr || r.stdout).trim()}`,
    );
  return r.stdout;
}

/** The daemons a router answers with (`show daemons`) and those its `daemons` file runs. */
async function frrDaemons(
  s: NodeSession,
  node: NodePlan,
): Promise<{ running: string[]; expected: string[] }> {
  const kind = nodeKind(node);
  const [shown, file] = await Promise.all([
    kind.exec(s, node, ["vtysh", "-c", "show daemons"], { timeoutMs: 10_000 }),
    kind.exec(s, node, ["cat", "/etc/frr/daemons"], { timeoutMs: 10_000 }),
  ]);
  return {
    running: shown.exitCode === 0 ? shown.stdout.trim().split(/\s+/).filter(Boolean) : [],
    expected: file.exitCode === 0 ? daemonsEnabled(file.stdout) : [],
  };
}

const frr: DeviceRuntime = {
  async stop(s, node) {
    const r = hostRouters(s.plan).find((h) => h.node.name === node.name);
    if (r) await stopRouter(s.run, r.node.namespace, s.layout.router(node.name));
  },
  async start(s, node) {
    const r = hostRouters(s.plan).find((h) => h.node.name === node.name);
    if (r) return bringUpRouter(s, r);
    // A VM's guest starts FRR at boot: wait until it answers.
    const deadline = Date.now() + FRR_READY_TIMEOUT_MS;
    for (;;) {
      const { running, expected } = await frrDaemons(s, node);
      const missing = expected.filter((d) => !running.includes(d));
      if (expected.length && missing.length === 0) return;
      if (Date.now() >= deadline)
        throw new LabError(
          `router ${node.name}: ${missing.length ? missing.join(", ") : "FRR"} did not start within ${FRR_READY_TIMEOUT_MS / 1000} s; see its log: wirelab exec ${node.name} -- cat /var/log/frr/frr.log`,
        );
      await new Promise((res) => setTimeout(res, 200));
    }
  },
  async state(s, node) {
    const { running, expected } = await frrDaemons(s, node).catch(() => ({
      running: [] as string[],
      expected: [] as string[],
    }));
    return { device: "frr", running, missing: expected.filter((d) => !running.includes(d)) };
  },
  async runningConfig(s, node) {
    // vtysh prints a header before the configuration ("Building configuration...", "Current configuration:").
    const text = await vtysh(s, node, "show running-config");
    const lines = text.split("\n");
    const start = lines.findIndex((l) => l.startsWith("Current configuration:"));
    return `${lines
      .slice(start + 1)
      .join("\n")
      .trim()}\n`;
  },
};

const DEVICES: { readonly [K in DeviceName]: DeviceRuntime } = { linux, frr };

/** What the running node's device can do. */
export function deviceRuntime(node: NodePlan): DeviceRuntime {
  return DEVICES[deviceOf(node).name];
}
