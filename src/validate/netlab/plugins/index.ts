/**
 * netlab's validation plugins wirelab runs, by function name (the list the
 * loader checks tests against is `topology/validation-plugins.ts`).
 */
import type { VALIDATION_PLUGINS } from "../../../topology/validation-plugins.js";
import { bgpNeighbor, bgpNeighborDetails, bgpPrefix } from "./bgp.js";
import type { ValidationPlugin } from "./common.js";
import { isisNeighbor, isisPrefix } from "./isis.js";
import { default6, ping, route } from "./linux.js";
import { ipv6Route, ospf6Neighbor, ospf6Prefix, ospfNeighbor, ospfPrefix } from "./ospf.js";
import { rtPrefix } from "./route.js";

/** Every plugin function, by the name tests call it by. */
export const PLUGINS: { readonly [K in keyof typeof VALIDATION_PLUGINS]: ValidationPlugin } = {
  ping,
  route,
  default6,
  ospf_neighbor: ospfNeighbor,
  ospf6_neighbor: ospf6Neighbor,
  ospf_prefix: ospfPrefix,
  ospf6_prefix: ospf6Prefix,
  ipv6_route: ipv6Route,
  bgp_neighbor: bgpNeighbor,
  bgp_neighbor_details: bgpNeighborDetails,
  bgp_prefix: bgpPrefix,
  isis_neighbor: isisNeighbor,
  isis_prefix: isisPrefix,
  rt_prefix: rtPrefix,
  route_prefix: rtPrefix,
};

export type { ValidationPlugin } from "./common.js";
export { CheckFailed } from "./common.js";
