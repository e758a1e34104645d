/**
 * `exec`: run a command inside a node, whatever its kind.
 */
import { LabError } from "../errors.js";
import type { NodePlan } from "../plan/types.js";
import { nodeKind } from "../providers/kinds.js";
import { suggest } from "../topology/suggest.js";
import { type LabDeps, resolveDeps } from "./deps.js";
import { type LabTarget, requireLab } from "./resolve.js";
import { withSession } from "./session.js";
import type { LabState } from "./state.js";

/** Options of {@link execInNode}. */
export interface ExecOptions extends LabDeps {
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
 * @throws {LabError} when the lab is not up, has no such node, or cannot run commands in it
 * @throws {PermissionError} without root
 */
export async function execInNode(
  target: LabTarget,
  node: string,
  command: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const deps = resolveDeps(options);
  deps.preflight.requireRoot("exec");
  const state = await requireLab(deps.store, target);
  const n = findNode(state, node);
  if (command.length === 0)
    throw new LabError(`no command given; write: wirelab exec ${node} -- COMMAND [ARGS…]`);
  return withSession(state, deps, (s) =>
    nodeKind(n).exec(s, n, command, { interactive: options.interactive ?? true }),
  );
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
