/**
 * `exec`: run a command inside a node.
 */
import { LabError } from "../errors.js";
import { defaultRunner, type Runner } from "../exec.js";
import type { NodePlan } from "../plan/types.js";
import { suggest } from "../topology/suggest.js";
import { LabAccess } from "./access.js";
import { requireRoot } from "./preflight.js";
import { type LabTarget, requireLab } from "./resolve.js";
import { type LabState, StateStore } from "./state.js";

/** Options of {@link execInNode}. */
export interface ExecOptions {
  /** @default defaultRunner */
  readonly run?: Runner;
  /** @default new StateStore() */
  readonly store?: StateStore;
  /** Connect the command to this process's terminal. @default true */
  readonly interactive?: boolean;
}

/** Output of a non-interactive {@link execInNode}. */
export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `command` in a node: in its network namespace, or in a VM through its command agent.
 *
 * @param node - node name
 * @param command - program and arguments (no shell)
 * @returns the command's exit code (128 + signal number when killed) and, when not interactive, its output
 * @throws {LabError} when the lab is not up or has no such node
 * @throws {PermissionError} without root
 */
export async function execInNode(
  target: LabTarget,
  node: string,
  command: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const run = options.run ?? defaultRunner;
  const store = options.store ?? new StateStore();
  const state = await requireLab(store, target);
  const n = findNode(state, node);
  requireRoot("exec");
  if (command.length === 0)
    throw new LabError(`no command given; write: wirelab exec ${node} -- COMMAND [ARGS…]`);
  const access = new LabAccess(state.lab, store, run);
  try {
    return await access.exec(n, command, { interactive: options.interactive ?? true });
  } finally {
    await access.close();
  }
}

/**
 * The plan of a node of a running lab.
 *
 * @throws {LabError} naming the lab's nodes when there is no such node
 */
export function findNode(state: LabState, node: string): NodePlan {
  const n = state.plan.nodes.find((x) => x.name === node);
  if (n) return n;
  const names = state.plan.nodes.map((x) => x.name);
  const hint = suggest(node, names);
  throw new LabError(
    `lab "${state.lab}" has no node "${node}"${hint ? ` (did you mean "${hint}"?)` : ""}; nodes are: ${names.join(", ")}`,
  );
}
