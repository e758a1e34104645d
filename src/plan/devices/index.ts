/**
 * The devices, by name: the one place that maps a device name to what it
 * can do at plan time. A new device is a new file here (and its runtime
 * half in `providers/devices.ts`), registered below.
 */
import type { DeviceName } from "../../topology/types.js";
import type { DevicePlan, NodePlan } from "../types.js";
import { frrDevice } from "./frr.js";
import { linuxDevice } from "./linux.js";
import type { DeviceRegistry, DeviceSpec } from "./types.js";

export type { DeviceSpec } from "./types.js";

const DEVICES: DeviceRegistry = { linux: linuxDevice, frr: frrDevice };

/** The spec of a device. */
export function deviceSpec<K extends DeviceName>(
  name: K,
): DeviceSpec<Extract<DevicePlan, { name: K }>> {
  return DEVICES[name] as unknown as DeviceSpec<Extract<DevicePlan, { name: K }>>;
}

/** Every device name. */
export const DEVICE_NAMES = Object.keys(DEVICES) as DeviceName[];

/** A planned node's device; plans written before devices existed are `linux`. */
export function deviceOf(node: NodePlan): DevicePlan {
  return node.device ?? { name: "linux" };
}

/** Whether the node runs a router (its own routing software). */
export function isRouter(node: NodePlan): boolean {
  return deviceOf(node).name !== "linux";
}
