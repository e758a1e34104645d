/**
 * What the planner needs to know of a device (what runs in a node: a host,
 * a router): the attributes it takes, whether it forwards by default, which
 * nodes can run it, and its part of the node plan. Its runtime half is in
 * `providers/devices.ts`; both are registered by device name.
 */
import type { Diagnostic } from "../../errors.js";
import type { DeviceName, TopologyNode } from "../../topology/types.js";
import type { DevicePlan } from "../types.js";

/** The plan-time half of a device. */
export interface DeviceSpec<D extends DevicePlan = DevicePlan> {
  readonly name: D["name"];
  /** One line for docs and messages, e.g. "a router running FRRouting". */
  readonly summary: string;
  /** Node attributes this device takes besides those of the node's kind. */
  readonly attributes: readonly string[];
  /**
   * Host paths the device needs its own copy of in a namespace node (a
   * router's `/etc/frr`, `/run/frr`, `/var/log/frr`): such a node gets its
   * own mount namespace with the lab's folders bound there.
   */
  readonly ownPaths: readonly string[];
  /** Guest memory a VM running it gets unless it says otherwise, in MiB (at least the guest's own default). */
  readonly vmMemoryMiB: number;
  /** IP forwarding when the node does not say (routers forward). */
  readonly forwards: boolean;
  /**
   * @param diagnostics - problems (a node that cannot run the device) are appended here
   * @returns the device's part of the node plan
   */
  plan(node: TopologyNode, diagnostics: Diagnostic[]): D;
}

/** One spec per device name, checked by the compiler. */
export type DeviceRegistry = {
  readonly [K in DeviceName]: DeviceSpec<Extract<DevicePlan, { name: K }>>;
};
