/**
 * Where a VM's serial console listens (a unix socket of QEMU's
 * `-chardev socket,server=on`), for `wirelab console`.
 */
import { LabError } from "../errors.js";
import { vmFiles } from "./access.js";
import { findNode } from "./exec.js";
import { requireRoot } from "./preflight.js";
import { type LabTarget, requireLab } from "./resolve.js";
import { StateStore } from "./state.js";

/**
 * @returns the console socket's path
 * @throws {LabError} when the node is not a VM of a running lab
 */
export async function consoleSocket(
  target: LabTarget,
  node: string,
  store = new StateStore(),
): Promise<string> {
  const state = await requireLab(store, target);
  const n = findNode(state, node);
  requireRoot("console");
  if (!n.vm)
    throw new LabError(
      `"${node}" is a namespace node and has no console; use: wirelab exec ${node} -- sh`,
    );
  return vmFiles(store, state.lab, node).console;
}
