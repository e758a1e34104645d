/**
 * `device: frr`: a router running FRRouting (netlab's device name). In a
 * namespace node, the host's FRR runs with the node's own `/etc/frr`,
 * `/run/frr` and `/var/log/frr`; in a VM, the guest's FRR (from its tools
 * disk) starts at boot from the node's files. Its configuration is the user's `config:` file
 * (FRR's `frr.conf`), its daemons FRR's `daemons` file (`daemons:`), or
 * zebra, staticd and the daemons the configuration needs.
 */
import type { FrrDevicePlan } from "../types.js";
import type { DeviceSpec } from "./types.js";

/** The plan half of `device: frr`. */
export const frrDevice: DeviceSpec<FrrDevicePlan> = {
  name: "frr",
  summary: "a router running FRRouting",
  attributes: ["config", "daemons"],
  ownPaths: ["/etc/frr", "/run/frr", "/var/log/frr"],
  // zebra, staticd and a protocol daemon with FRR's libraries: 96 MiB runs out (the guest's OOM killer takes zebra).
  vmMemoryMiB: 256,
  forwards: true,
  plan(node, diagnostics) {
    if (node.userImage)
      diagnostics.push({
        code: "bad-value",
        message: `"device: frr" runs FRR in wirelab's own guest; a user's image brings its own software: remove "device" or "image"`,
        path: [...node.path, "device"],
        atKey: true,
      });
    return {
      name: "frr",
      ...(node.router?.config ? { config: node.router.config } : {}),
      ...(node.router?.daemons ? { daemons: node.router.daemons } : {}),
    };
  },
};
