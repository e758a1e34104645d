/**
 * `kind: linux`: a network namespace (`wl-<lab>-<node>`), the default kind.
 * Its interfaces are kernel interfaces inside it.
 */
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
  runsCommands: () => true,
  exportTo: { clab: true, libvirt: false },
};
