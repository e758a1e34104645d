/**
 * The `isis` module (netlab docs, "IS-IS Configuration Module"; netlab's
 * `modules/isis.yml` for the attributes and levels).
 */
import { z } from "zod";
import type { ModuleSpec } from "./types.js";
import { afSchema, importSchema } from "./values.js";

/** IS-IS levels a router or circuit takes part in. */
const levelSchema = z.enum(["level-1", "level-2", "level-1-2"]);

/** An IS-IS area address (the NSAP's area part: `49.0001`). */
const areaSchema = z
  .string()
  .regex(/^[0-9a-fA-F]{2}(\.[0-9a-fA-F]{4}){0,6}$/, "an IS-IS area is written like 49.0001");

/** A NET: area, 6-byte system ID and a zero N-selector (`49.0001.0000.0000.0001.00`, ISO 10589). */
const netSchema = z
  .string()
  .regex(
    /^[0-9a-fA-F.]+?\.(?:[0-9a-fA-F]{4}\.){3}00$/,
    "a NET is an NSAP with a zero N-selector, like 49.0001.0000.0000.0001.00",
  );

const global = {
  af: afSchema.optional(),
  area: areaSchema.optional(),
  type: levelSchema.optional(),
  instance: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .optional(),
};

const link = {
  metric: z.number().int().min(1).max(16777215).optional(),
  cost: z.number().int().min(1).max(16777215).optional(),
  type: levelSchema.optional(),
  network_type: z.union([z.literal("point-to-point"), z.boolean()]).optional(),
  passive: z.boolean().optional(),
};

export const isisGlobalSchema = z.strictObject(global);
export const isisNodeSchema = z.strictObject({
  ...global,
  import: importSchema.optional(),
  net: netSchema.optional(),
});
export const isisLinkSchema = z.strictObject(link);

/** IS-IS attributes of a node, as checked. */
export type IsisNodeInput = z.output<typeof isisNodeSchema>;
/** IS-IS attributes of a link or interface, as checked. */
export type IsisInterfaceInput = z.output<typeof isisLinkSchema>;

const BFD = "needs netlab's bfd module, which wirelab does not run";

export const isisModule: ModuleSpec = {
  name: "isis",
  summary: "IS-IS",
  devices: ["frr"],
  schemas: {
    global: isisGlobalSchema,
    node: isisNodeSchema,
    link: isisLinkSchema,
    interface: isisLinkSchema,
  },
  notImplemented: {
    global: { bfd: BFD },
    node: { bfd: BFD, system_id: "write the whole NET with isis.net" },
    link: { bfd: BFD },
    interface: { bfd: BFD },
  },
  // netlab's modules/isis.yml
  defaults: { area: "49.0001", type: "level-2", instance: "Gandalf" },
  noPropagate: [],
  canBeFalse: true,
};
