/**
 * `kind: linux`: a network namespace (`wl-<lab>-<node>`), the default kind.
 * Its interfaces are kernel interfaces inside it.
 */
import { sameValue } from "../differing.js";
import { nodeNamespace } from "../names.js";
import type { LinuxNodePlan } from "../types.js";
import type { KindSpec } from "./types.js";

/** Attributes every kind takes. */
export const COMMON_ATTRIBUTES = [
  "kind",
  "device",
  "forwarding",
  "routes",
  "loopback",
  "exec",
  "id",
  "role",
  "module",
  "mtu",
  "ospf",
  "bgp",
  "isis",
  "routing",
] as const;

/** The plan half of `kind: linux`. */
export const linuxKind: KindSpec<LinuxNodePlan> = {
  name: "linux",
  summary: "a network namespace",
  label: "namespace",
  attaches: "namespace",
  // memory and cpus are accepted for files written for VMs and containers, and not used.
  attributes: [...COMMON_ATTRIBUTES, "memory", "cpus"],
  plan: (node, input) => ({ namespace: nodeNamespace(input.lab, node.name) }),
  namespaceOf: (node) => node.namespace,
  ports: () => [],
  // What exec lines did cannot be undone line by line: they run again in a new namespace.
  rebuildFor: (a, b) =>
    !sameValue(a.exec, b.exec)
      ? "its exec lines changed (they run again in a new namespace)"
      : undefined,
  runsCommands: () => true,
  exportTo: { clab: true, libvirt: false },
};
