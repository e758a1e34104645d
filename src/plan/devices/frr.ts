/**
 * `device: frr`: a router running FRRouting (netlab's device name). In a
 * namespace node, the host's FRR runs with the node's own `/etc/frr`,
 * `/run/frr` and `/var/log/frr`. VM nodes cannot run it yet (wirelab's
 * guest image does not carry FRR): refused at the node's `device`. Its configuration is the user's `config:` file
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
  forwards: true,
  plan(node, diagnostics) {
    if (node.kind === "vm")
      diagnostics.push({
        code: "unsupported",
        message: `"device: frr" runs in namespace nodes for now: the guest image does not carry FRR yet; remove "kind: vm" from this router`,
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
