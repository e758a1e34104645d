/**
 * The `routing` module's static routes (netlab docs, "Generic Routing
 * Configuration Module", Static Routes; netlab's `modules/routing.yml`).
 * Routing policies, prefix lists, AS-path and community lists are netlab's
 * too, and not implemented by wirelab.
 */
import { z } from "zod";
import { parseAddress } from "../../ip.js";
import type { ModuleSpec } from "./types.js";
import { prefixSchema } from "./values.js";

const addressSchema = (family: "ipv4" | "ipv6") =>
  z.string().refine((v) => parseAddress(v)?.family === family, {
    message: `a next hop is an ${family === "ipv4" ? "IPv4" : "IPv6"} address, without a length`,
  });

/** A static route's next hop: an address per family, a node, the gateway, or a discard. */
const nexthopSchema = z.strictObject({
  node: z.string().optional(),
  ipv4: addressSchema("ipv4").optional(),
  ipv6: addressSchema("ipv6").optional(),
  gateway: z.boolean().optional(),
  discard: z.literal(true).optional(),
});

/** One static route entry (netlab's `static_entry`). */
export const staticRouteSchema = z.strictObject({
  ipv4: prefixSchema.optional(),
  ipv6: prefixSchema.optional(),
  /** A named prefix (top-level `prefix:`). */
  prefix: z.string().optional(),
  /** The control-plane endpoint (loopback, else first interface) of a node. */
  node: z.string().optional(),
  /** An address pool's prefixes. */
  pool: z.string().optional(),
  nexthop: nexthopSchema.optional(),
  /** A list of global static routes (top-level `routing.static.NAME`). */
  include: z.string().optional(),
});

/** A static route entry as checked. */
export type StaticRouteInput = z.output<typeof staticRouteSchema>;

export const routingGlobalSchema = z.strictObject({
  static: z.record(z.string(), z.array(staticRouteSchema)).optional(),
});
export const routingNodeSchema = z.strictObject({
  static: z.array(staticRouteSchema).optional(),
});

/** Routing attributes of a node, as checked. */
export type RoutingNodeInput = z.output<typeof routingNodeSchema>;

const POLICY =
  "routing policies, prefix, AS-path and community lists are not implemented by wirelab";

export const routingModule: ModuleSpec = {
  name: "routing",
  summary: "static routes",
  devices: ["frr", "linux"],
  schemas: { global: routingGlobalSchema, node: routingNodeSchema },
  notImplemented: {
    global: { policy: POLICY, prefix: POLICY, aspath: POLICY, community: POLICY },
    node: { policy: POLICY, prefix: POLICY, aspath: POLICY, community: POLICY },
  },
  defaults: {},
  noPropagate: ["policy", "prefix", "aspath", "community", "static"],
  canBeFalse: false,
};
