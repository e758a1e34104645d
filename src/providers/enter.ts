/**
 * How a command gets into a namespace node. A plain node is its network
 * namespace (`ip netns exec`, which also shows the node's own /sys). A node
 * whose device brings its own files (a router: `/etc/frr`, `/run/frr`) also
 * has a mount and a UTS namespace, kept as files under
 * {@link NODE_NS_DIR} as `ip netns` keeps network namespaces under
 * /run/netns; commands enter all three (`nsenter`, util-linux).
 */
import { join } from "node:path";
import { deviceOf, deviceSpec } from "../plan/devices/index.js";
import type { LinuxNodePlan } from "../plan/types.js";

/** Where the mount and UTS namespace files of namespace nodes are kept. */
export const NODE_NS_DIR = "/run/wirelab/ns";

/** The persistent mount and UTS namespace files of a namespace node. */
export function nodeNamespaceFiles(namespace: string): { mnt: string; uts: string } {
  return {
    mnt: join(NODE_NS_DIR, `${namespace}.mnt`),
    uts: join(NODE_NS_DIR, `${namespace}.uts`),
  };
}

/** Whether the node has its own mount and UTS namespaces (its device binds paths of its own). */
export function hasOwnMounts(node: LinuxNodePlan): boolean {
  return deviceSpec(deviceOf(node).name).ownPaths.length > 0;
}

/** The argv prefix that runs a program in a namespace node with its own mounts. */
export function enterWithMounts(namespace: string): string[] {
  const ns = nodeNamespaceFiles(namespace);
  return ["nsenter", `--net=/run/netns/${namespace}`, `--mount=${ns.mnt}`, `--uts=${ns.uts}`, "--"];
}

/** The argv prefix that runs a program in a namespace node. */
export function enterNode(node: LinuxNodePlan): string[] {
  return hasOwnMounts(node)
    ? enterWithMounts(node.namespace)
    : ["ip", "netns", "exec", node.namespace];
}
