/**
 * Where a node's serial console listens, for `wirelab console`.
 */

import { nodeKind } from "../providers/kinds.js";
import { type LabDeps, resolveDeps } from "./deps.js";
import { findNode } from "./exec.js";
import { type LabTarget, requireLab } from "./resolve.js";
import { withSession } from "./session.js";

/**
 * @returns the console's unix socket
 * @throws {LabError} when the lab is not up, or the node has no console
 */
export async function consoleSocket(
  target: LabTarget,
  node: string,
  options: LabDeps = {},
): Promise<string> {
  const deps = resolveDeps(options);
  deps.preflight.requireRoot("console");
  const state = await requireLab(deps.store, target);
  const n = findNode(state, node);
  return withSession(state, deps, async (s) => nodeKind(n).consoleSocket(s, n));
}
