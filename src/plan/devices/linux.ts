/** `device: linux`: a plain Linux host, the default; what wirelab's nodes always were. */
import type { LinuxDevicePlan } from "../types.js";
import type { DeviceSpec } from "./types.js";

/** The plan half of `device: linux`. */
export const linuxDevice: DeviceSpec<LinuxDevicePlan> = {
  name: "linux",
  summary: "a Linux host",
  attributes: [],
  ownPaths: [],
  vmMemoryMiB: 0,
  forwards: false,
  plan: () => ({ name: "linux" }),
};
