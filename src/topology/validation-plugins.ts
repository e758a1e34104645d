/**
 * netlab's validation plugins for the devices wirelab runs (netlab's
 * `netsim/validate/linux.py`, `frr.py` and the OSPF, BGP, IS-IS and route
 * checks it imports), by function name and the devices that have them.
 * The checks themselves are the validate verb's (`src/validate/netlab/`);
 * this list lets a topology's tests be checked when it is loaded.
 */

/** The plugin functions and the devices whose plugin has each. */
export const VALIDATION_PLUGINS = {
  ping: ["frr", "linux"],
  route: ["frr", "linux"],
  default6: ["frr", "linux"],
  ospf_neighbor: ["frr"],
  ospf6_neighbor: ["frr"],
  ospf_prefix: ["frr"],
  ospf6_prefix: ["frr"],
  ipv6_route: ["frr"],
  bgp_neighbor: ["frr"],
  bgp_neighbor_details: ["frr"],
  bgp_prefix: ["frr"],
  isis_neighbor: ["frr"],
  isis_prefix: ["frr"],
  rt_prefix: ["frr"],
  /** Another name of rt_prefix. */
  route_prefix: ["frr"],
} as const satisfies Readonly<Record<string, readonly ("frr" | "linux")[]>>;

/** The devices that have a plugin function, or undefined when netlab's FRR and Linux plugins have none of that name. */
export function pluginDevices(name: string): readonly ("frr" | "linux")[] | undefined {
  return Object.hasOwn(VALIDATION_PLUGINS, name)
    ? VALIDATION_PLUGINS[name as keyof typeof VALIDATION_PLUGINS]
    : undefined;
}
