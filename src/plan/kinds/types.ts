/**
 * What the planner needs to know of a node kind: how its interfaces meet a
 * wire, which attributes it takes, and its own part of the node plan. The
 * runtime half of a kind (create, exec, status, link state, restart,
 * console, capture) is in `providers/`; both are registered by kind name.
 */
import type { Diagnostic } from "../../errors.js";
import type { TopologyNode } from "../../topology/types.js";
import type { PortRequest } from "../ports.js";
import type { NodeKindName, NodePlan } from "../types.js";

/**
 * How a node's interfaces meet a wire:
 * - `namespace`: each is a kernel interface in the node's own network
 *   namespace (a vEth end), so the host can reach and capture it there;
 * - `hypervisor`: each is a virtual NIC whose frames the host sees only on
 *   the object backing it (a tap, a UDP socket, a unix stream socket).
 */
export type Attachment = "namespace" | "hypervisor";

/** What a kind plans from besides the node. */
export interface KindPlanInput {
  readonly lab: string;
  /** The node's 1-based position in the lab (its MACs derive from it). */
  readonly index: number;
  /** The MAC of a management NIC (a VM's `eth0`): kept from the running lab, else the position's. */
  readonly managementMac: string;
}

/** The kind-specific fields of a node plan (e.g. `{ namespace }` or `{ vm }`). */
export type KindFields<N extends NodePlan> = Omit<
  N,
  "name" | "kind" | "forwarding" | "loopback" | "interfaces" | "routes"
>;

/** The plan-time half of a node kind. */
export interface KindSpec<N extends NodePlan = NodePlan> {
  readonly name: N["kind"];
  /** One line for `docs` and messages, e.g. "a network namespace". */
  readonly summary: string;
  /** A short word for listings, e.g. `VM`. */
  readonly label: string;
  readonly attaches: Attachment;
  /** Node attributes this kind takes; any other written on a node of it is an error at its key. */
  readonly attributes: readonly string[];
  /**
   * @param diagnostics - problems with the node's attributes are appended here
   * @returns the kind's own part of the node plan
   */
  plan(node: TopologyNode, input: KindPlanInput, diagnostics: Diagnostic[]): KindFields<N>;
  /** The node's network namespace, for a `namespace` kind. */
  namespaceOf(node: N): string | undefined;
  /** Ports on 127.0.0.1 the node needs (a VM's forwarded SSH). */
  ports(node: N): PortRequest[];
  /**
   * Why a running node of this kind cannot go from `before` to `after` in
   * place and must be made new (a new namespace, a new QEMU), or undefined
   * when its providers can change it where it runs (addresses, routes,
   * forwarding, links, a router's configuration).
   */
  rebuildFor(before: N, after: N): string | undefined;
  /** Whether wirelab can run commands in the node (`exec`, `validate`'s pings). */
  runsCommands(node: N): boolean;
  /** Which exporters describe nodes of this kind: containerlab (containers), libvirt and Vagrant (VMs). */
  readonly exportTo: { readonly clab: boolean; readonly libvirt: boolean };
}

/** One spec per kind name, checked by the compiler. */
export type KindRegistry = {
  readonly [K in NodeKindName]: KindSpec<Extract<NodePlan, { kind: K }>>;
};
