/**
 * The modules wirelab runs, by name, and netlab's other modules (each an
 * error naming it where it is used).
 */
import { bgpModule } from "./bgp.js";
import { isisModule } from "./isis.js";
import { ospfModule } from "./ospf.js";
import { routingModule } from "./routing.js";
import type { ModuleName, ModuleSpec } from "./types.js";

/** One spec per module name, checked by the compiler. */
export const MODULES: { readonly [K in ModuleName]: ModuleSpec & { name: K } } = {
  ospf: ospfModule as ModuleSpec & { name: "ospf" },
  bgp: bgpModule as ModuleSpec & { name: "bgp" },
  isis: isisModule as ModuleSpec & { name: "isis" },
  routing: routingModule as ModuleSpec & { name: "routing" },
};

/** Module names in configuration order (netlab's `config_after`: static routes first, BGP last). */
export const MODULE_NAMES: readonly ModuleName[] = ["routing", "ospf", "isis", "bgp"];

/** netlab's modules wirelab does not run (netlab docs, "Configuration Modules"). */
export const NETLAB_ONLY_MODULES = [
  "bfd",
  "dhcp",
  "eigrp",
  "evpn",
  "gateway",
  "lag",
  "mpls",
  "ripv2",
  "sr",
  "srv6",
  "stp",
  "vlan",
  "vrf",
  "vxlan",
] as const;

/** Whether `name` is a module wirelab runs. */
export const isModuleName = (name: unknown): name is ModuleName =>
  typeof name === "string" && name in MODULES;

export type { ModuleLevel, ModuleName, ModuleSpec } from "./types.js";
