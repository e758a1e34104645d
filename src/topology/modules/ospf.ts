/**
 * The `ospf` module: OSPFv2 and OSPFv3 (netlab docs, "OSPF Configuration
 * Module"; netlab's `modules/ospf.yml` for the attributes and levels).
 */
import { z } from "zod";
import type { ModuleSpec } from "./types.js";
import { afSchema, importSchema, ipv4IdSchema } from "./values.js";

/** Hello and dead intervals, in seconds. */
const timersSchema = z.strictObject({
  hello: z.number().int().min(1).max(8192).optional(),
  dead: z.number().int().min(3).max(8192).optional(),
});

const global = {
  af: afSchema.optional(),
  area: ipv4IdSchema.optional(),
  passive: z.boolean().optional(),
  password: z.string().min(1).optional(),
  process: z.number().int().min(1).optional(),
  /** Reference bandwidth for interface costs, in Mbit/s (FRR's `auto-cost reference-bandwidth`). */
  reference_bandwidth: z.number().int().min(1).optional(),
  timers: timersSchema.optional(),
};

/** `default`: originate a default route (`true`, or its settings). */
const defaultSchema = z.union([
  z.boolean(),
  z.strictObject({
    always: z.boolean().optional(),
    cost: z.number().int().min(0).optional(),
    type: z.enum(["e1", "e2"]).optional(),
  }),
]);

const link = {
  area: ipv4IdSchema.optional(),
  cost: z.number().int().min(1).max(65534).optional(),
  network_type: z
    .enum(["point-to-point", "point-to-multipoint", "broadcast", "non-broadcast"])
    .optional(),
  passive: z.boolean().optional(),
  password: z.string().min(1).optional(),
  timers: timersSchema.optional(),
};

export const ospfGlobalSchema = z.strictObject(global);
export const ospfNodeSchema = z.strictObject({
  ...global,
  default: defaultSchema.optional(),
  import: importSchema.optional(),
  priority: z.number().int().min(0).max(255).optional(),
  router_id: ipv4IdSchema.optional(),
});
export const ospfLinkSchema = z.strictObject(link);
export const ospfInterfaceSchema = z.strictObject({
  ...link,
  priority: z.number().int().min(0).max(255).optional(),
});

/** OSPF attributes of a node, as checked. */
export type OspfNodeInput = z.output<typeof ospfNodeSchema>;
/** OSPF attributes of a link or interface, as checked. */
export type OspfInterfaceInput = z.output<typeof ospfInterfaceSchema>;

const BFD = "needs netlab's bfd module, which wirelab does not run";
const DIGEST = "MD5 digests are not implemented by wirelab; use ospf.password";

export const ospfModule: ModuleSpec = {
  name: "ospf",
  summary: "OSPFv2 and OSPFv3",
  devices: ["frr"],
  schemas: {
    global: ospfGlobalSchema,
    node: ospfNodeSchema,
    link: ospfLinkSchema,
    interface: ospfInterfaceSchema,
  },
  notImplemented: {
    global: { bfd: BFD, areas: "needs netlab's ospf.areas plugin, which wirelab does not run" },
    node: {
      bfd: BFD,
      digest: DIGEST,
      areas: "needs netlab's ospf.areas plugin, which wirelab does not run",
    },
    link: { bfd: BFD, digest: DIGEST },
    interface: { bfd: BFD, digest: DIGEST },
  },
  // netlab's modules/ospf.yml
  defaults: { area: "0.0.0.0" },
  noPropagate: [],
  canBeFalse: true,
};
