/**
 * The runtime node kinds, by name: the one place that maps a node to what
 * can be done with it while it runs. A new kind registers its runtime half
 * here (its plan half is in `plan/kinds`).
 */
import type { NodeKindName, NodePlan } from "../plan/types.js";
import { linuxKind } from "./netns/linux-kind.js";
import type { NodeKind } from "./node-kind.js";
import { vmKind } from "./qemu/vm-kind.js";

const KINDS: { readonly [K in NodeKindName]: NodeKind<Extract<NodePlan, { kind: K }>> } = {
  linux: linuxKind,
  vm: vmKind,
};

/** What a running node of this node's kind can do. */
export function nodeKind<N extends NodePlan>(node: N): NodeKind<N> {
  return KINDS[node.kind] as unknown as NodeKind<N>;
}
