/**
 * The `bgp` module (netlab docs, "BGP Configuration Module"; netlab's
 * `modules/bgp.yml` for the attributes and levels).
 */
import { z } from "zod";
import type { ModuleSpec } from "./types.js";
import { asnSchema, importSchema, ipv4IdSchema, prefixSchema } from "./values.js";

/** BGP session types (netlab's `bgp_session_type`). */
export const SESSION_TYPES = ["ibgp", "ebgp", "localas_ibgp"] as const;

/** Session types per address family, for `sessions` and `activate`; `true` is every type. */
const perFamilySchema = z.strictObject({
  ipv4: z.union([z.array(z.enum(SESSION_TYPES)), z.literal(true)]).optional(),
  ipv6: z.union([z.array(z.enum(SESSION_TYPES)), z.literal(true)]).optional(),
});

/** Communities sent to neighbours: per session type, the kinds (netlab's `bgp.community`). */
const communityKinds = z.enum(["standard", "extended", "large", "2octet"]);
const communitySchema = z.union([
  communityKinds,
  z.array(communityKinds),
  z.strictObject({
    ibgp: z.array(communityKinds).optional(),
    ebgp: z.array(communityKinds).optional(),
  }),
]);

const common = {
  as: asnSchema.optional(),
  next_hop_self: z.boolean().optional(),
  rr_cluster_id: ipv4IdSchema.optional(),
  rr_mesh: z.boolean().optional(),
  sessions: perFamilySchema.optional(),
  activate: perFamilySchema.optional(),
  advertise_loopback: z.boolean().optional(),
  community: communitySchema.optional(),
  replace_global_as: z.boolean().optional(),
};

/** `as_list`: AS → members (and route reflectors), netlab's other way to say who is in which AS. */
const asListSchema = z.record(
  z.string().regex(/^\d+$/),
  z.strictObject({
    members: z.array(z.string()),
    rr: z.array(z.string()).optional(),
    name: z.string().optional(),
  }),
);

export const bgpGlobalSchema = z.strictObject({
  ...common,
  rr_list: z.array(z.string()).optional(),
  ebgp_role: z.string().optional(),
  advertise_roles: z.array(z.string()).optional(),
  as_list: asListSchema.optional(),
});
export const bgpNodeSchema = z.strictObject({
  ...common,
  rr: z.boolean().optional(),
  /** Prefixes to originate (a single one may be written without a list). */
  originate: z
    .union([prefixSchema, z.array(prefixSchema)])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .optional(),
  router_id: ipv4IdSchema.optional(),
  local_as: asnSchema.optional(),
  import: importSchema.optional(),
});
export const bgpLinkSchema = z.strictObject({ advertise: z.boolean().optional() });
export const bgpInterfaceSchema = z.strictObject({
  advertise: z.boolean().optional(),
  local_as: asnSchema.optional(),
  replace_global_as: z.boolean().optional(),
});

/** BGP attributes of a node, as checked. */
export type BgpNodeInput = z.output<typeof bgpNodeSchema>;
/** BGP attributes of an interface, as checked. */
export type BgpInterfaceInput = z.output<typeof bgpInterfaceSchema>;
/** Global BGP attributes, as checked. */
export type BgpGlobalInput = z.output<typeof bgpGlobalSchema>;

const SESSION_PLUGIN = "needs netlab's bgp.session plugin, which wirelab does not run";
const POLICY_PLUGIN = "needs netlab's bgp.policy plugin, which wirelab does not run";

/** Attributes netlab's bgp.session and bgp.policy plugins add (error messages name the plugin). */
const PLUGIN_ATTRIBUTES: Record<string, string> = {
  passive: SESSION_PLUGIN,
  timers: SESSION_PLUGIN,
  password: SESSION_PLUGIN,
  allowas_in: SESSION_PLUGIN,
  as_override: SESSION_PLUGIN,
  default_originate: SESSION_PLUGIN,
  gtsm: SESSION_PLUGIN,
  remove_private_as: SESSION_PLUGIN,
  rs: SESSION_PLUGIN,
  rs_client: SESSION_PLUGIN,
  bfd: SESSION_PLUGIN,
  tcp_ao: SESSION_PLUGIN,
  locpref: POLICY_PLUGIN,
  med: POLICY_PLUGIN,
  weight: POLICY_PLUGIN,
  prepend: POLICY_PLUGIN,
  bandwidth: POLICY_PLUGIN,
  policy: POLICY_PLUGIN,
  aggregate: "route aggregation is not implemented by wirelab",
  multihop: "needs netlab's ebgp.multihop plugin, which wirelab does not run",
};

export const bgpModule: ModuleSpec = {
  name: "bgp",
  summary: "BGP",
  devices: ["frr"],
  schemas: {
    global: bgpGlobalSchema,
    node: bgpNodeSchema,
    link: bgpLinkSchema,
    interface: bgpInterfaceSchema,
  },
  notImplemented: {
    global: {
      ...PLUGIN_ATTRIBUTES,
      confederation: "BGP confederations are not implemented by wirelab",
    },
    node: { ...PLUGIN_ATTRIBUTES, session: SESSION_PLUGIN },
    link: PLUGIN_ATTRIBUTES,
    interface: PLUGIN_ATTRIBUTES,
  },
  // netlab's modules/bgp.yml
  defaults: {
    advertise_roles: ["stub"],
    advertise_loopback: true,
    community: { ibgp: ["standard", "extended"], ebgp: ["standard"] },
    ebgp_role: "external",
    next_hop_self: true,
  },
  noPropagate: ["ebgp_role", "advertise_roles", "rr_list", "as_list", "confederation"],
  canBeFalse: true,
};
