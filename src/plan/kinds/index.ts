/**
 * The node kinds, by name: the one place that maps a kind name to what it
 * can do at plan time. A new kind is a new file here (and its runtime half
 * in `providers/`), registered below.
 */
import type { Diagnostic } from "../../errors.js";
import type { TopologyNode } from "../../topology/types.js";
import { DEVICE_NAMES, deviceSpec } from "../devices/index.js";
import type { NodeKindName, NodePlan } from "../types.js";
import { linuxKind } from "./linux.js";
import type { Attachment, KindRegistry, KindSpec } from "./types.js";
import { vmKind } from "./vm.js";

export type { Attachment, KindSpec } from "./types.js";

const KINDS: KindRegistry = { linux: linuxKind, vm: vmKind };

/** The spec of a kind. */
export function kindSpec<K extends NodeKindName>(
  kind: K,
): KindSpec<Extract<NodePlan, { kind: K }>> {
  return KINDS[kind] as unknown as KindSpec<Extract<NodePlan, { kind: K }>>;
}

/** The spec of a planned node's kind. */
export function specOf<N extends NodePlan>(node: N): KindSpec<N> {
  return KINDS[node.kind] as unknown as KindSpec<N>;
}

/** Every kind name. */
export const KIND_NAMES = Object.keys(KINDS) as NodeKindName[];

/** How a planned node's interfaces meet a wire. */
export function attachmentOf(node: NodePlan): Attachment {
  return KINDS[node.kind].attaches;
}

/** The network namespace a planned node lives in, if its kind has one. */
export function namespaceOf(node: NodePlan): string | undefined {
  return specOf(node).namespaceOf(node);
}

/** Whether wirelab can run commands in the node (exec, validate). */
export function runsCommands(node: NodePlan): boolean {
  return specOf(node).runsCommands(node);
}

/**
 * Reports attributes written on a node that neither its kind nor its device
 * takes, at the attribute's key, naming the kinds or devices that do.
 */
export function checkAttributes(node: TopologyNode, diagnostics: Diagnostic[]): void {
  const spec = KINDS[node.kind];
  const device = deviceSpec(node.device);
  for (const key of node.written) {
    if (spec.attributes.includes(key) || device.attributes.includes(key)) continue;
    const kinds = KIND_NAMES.filter((k) => KINDS[k].attributes.includes(key));
    const devices = DEVICE_NAMES.filter((d) => deviceSpec(d).attributes.includes(key));
    const hint = kinds[0]
      ? `applies to ${kinds.join(", ")} nodes only; add "kind: ${kinds[0]}"`
      : devices[0]
        ? `applies to ${devices.join(", ")} devices only; add "device: ${devices[0]}"`
        : "is not taken by any node";
    diagnostics.push({
      code: "bad-value",
      message: `"${key}" ${hint}`,
      path: [...node.path, key],
      atKey: true,
    });
  }
}
