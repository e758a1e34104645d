/**
 * The shape of a topology file as users write it (`TopologyInput`), in zod.
 * Only shapes and value formats live here; cross-references (unknown nodes,
 * address clashes) are checked after the shape is valid.
 *
 * Links are not described here: their netlab dict form mixes node names and
 * link attributes as keys, so `links.ts` splits them and validates each part
 * with the schemas below.
 */
import { z } from "zod";

/** Lab names become part of namespace names: short, lower case, no leading or trailing dash. */
export const labNameSchema = z
  .string()
  .max(32, "lab name must be at most 32 characters")
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, "lab name must use a-z, 0-9 and inner dashes");

/** Node names: a letter first, then letters, digits, `_` and `-` (netlab's rule). */
export const nodeNameSchema = z
  .string()
  .max(32, "node name must be at most 32 characters")
  .regex(
    /^[A-Za-z][A-Za-z0-9_-]*$/,
    "node name must start with a letter and use letters, digits, _ and -",
  );

/** Kernel interface names: at most 15 bytes (IFNAMSIZ - 1), no `/`, `:` or whitespace. */
export const ifnameSchema = z
  .string()
  .min(1)
  .regex(/^[A-Za-z0-9_.-]+$/, "interface name may use letters, digits, _, . and -");

/** Node kinds: `linux` (a network namespace) and `vm` (a QEMU virtual machine). */
export const nodeKindSchema = z.enum(["linux", "vm"]);

/**
 * What runs in a node (netlab's `device`): `linux`, a plain host (the
 * default), or `frr`, a router running FRRouting.
 */
export const deviceSchema = z.enum(["linux", "frr"]);

/** Link transports a file may name (docs/topology.md; the planner's table decides). */
export const transportSchema = z.enum(["veth", "bridge", "udp", "tap", "hub", "switch"]);

const cidrString = z.string();

/** `loopback: true | false | "10.0.0.1/32" | { ipv4, ipv6 }` */
export const loopbackSchema = z.union([
  z.boolean(),
  cidrString,
  z.strictObject({ ipv4: cidrString.optional(), ipv6: cidrString.optional() }),
]);

/** A static route: `{ prefix: 10.20.60.0/24 | default, via: 10.20.20.2 }`. */
export const routeSchema = z.strictObject({
  prefix: z.string(),
  via: z.string(),
});

/** Attributes of one node under `nodes:`. */
export const nodeSchema = z.strictObject({
  kind: nodeKindSchema.optional(),
  device: deviceSchema.optional(),
  /** A router's startup configuration (FRR's `frr.conf`), relative to the topology file. */
  config: z.string().min(1).optional(),
  /** FRR's `daemons` file, relative to the topology file (default: zebra, staticd and what the config needs). */
  daemons: z.string().min(1).optional(),
  /** Shell commands run in the node, in order, once its links, addresses, routes and router exist (containerlab's `exec`). */
  exec: z.array(z.string().min(1)).optional(),
  forwarding: z.boolean().optional(),
  routes: z.array(routeSchema).optional(),
  loopback: loopbackSchema.optional(),
  /** VM memory in MiB (88 is the least that boots wirelab's guest). */
  memory: z.number().int().min(96).max(65536).optional(),
  cpus: z.number().int().min(1).max(64).optional(),
  /** A user's disk image (qcow2 or raw) to boot instead of wirelab's guest; never written (QEMU snapshot=on). */
  image: z.string().min(1).optional(),
  /** Kernel to boot a user image with (else it boots from its disk). */
  kernel: z.string().min(1).optional(),
  initrd: z.string().min(1).optional(),
  /** Kernel command line for `kernel`. */
  append: z.string().optional(),
  /** NIC model: virtio-net (default) or e1000 for images without virtio drivers. */
  nic: z.enum(["virtio", "e1000"]).optional(),
});

/** An address pool: `{ ipv4: 10.1.0.0/16, prefix: 30, ipv6: 2001:db8:1::/48, prefix6: 64 }`. */
export const poolSchema = z.strictObject({
  ipv4: z.union([cidrString, z.literal(false)]).optional(),
  ipv6: z.union([cidrString, z.literal(false)]).optional(),
  prefix: z.number().int().min(1).max(32).optional(),
  prefix6: z.number().int().min(1).max(128).optional(),
});

/** `addressing:`: the loopback, p2p and LAN pools. */
export const addressingSchema = z.strictObject({
  loopback: poolSchema.optional(),
  p2p: poolSchema.optional(),
  lan: poolSchema.optional(),
});

/** `defaults:`: node attributes that apply where a node says nothing. */
export const defaultsSchema = z.strictObject({
  kind: nodeKindSchema.optional(),
  device: deviceSchema.optional(),
  forwarding: z.boolean().optional(),
  loopback: z.boolean().optional(),
});

/**
 * Impairments (netem's names): delay/jitter (`20ms`, or a number of ms),
 * loss/corrupt/duplicate (`1%`, or a number of %), rate (`10mbit`, or kbit/s).
 */
export const impairSchema = z.strictObject({
  delay: z.union([z.string(), z.number()]).optional(),
  jitter: z.union([z.string(), z.number()]).optional(),
  loss: z.union([z.string(), z.number()]).optional(),
  rate: z.union([z.string(), z.number()]).optional(),
  corrupt: z.union([z.string(), z.number()]).optional(),
  duplicate: z.union([z.string(), z.number()]).optional(),
});

/** Per-node attributes inside a link: `rt1: { ipv4: 10.20.10.1/24, ifname: eth3 }`. */
export const endpointAttrsSchema = z.strictObject({
  ipv4: z.union([cidrString, z.number().int().min(1), z.boolean()]).optional(),
  ipv6: z.union([cidrString, z.number().int().min(1), z.boolean()]).optional(),
  ifname: ifnameSchema.optional(),
  /** Impairments of the frames this node sends on the link. */
  impair: impairSchema.optional(),
});

/** Attributes a link may carry besides its endpoints. */
export const linkAttrsSchema = z.strictObject({
  endpoints: z.array(z.string()).optional(),
  name: z.string().optional(),
  type: z.enum(["p2p", "lan"]).optional(),
  transport: transportSchema.optional(),
  prefix: z
    .union([
      cidrString,
      z.strictObject({ ipv4: cidrString.optional(), ipv6: cidrString.optional() }),
    ])
    .optional(),
  /** Impairments of both directions. */
  impair: impairSchema.optional(),
  /** Carry a VM↔VM p2p link through the wire daemon (capture without tcpdump, live impairments, link down/up). */
  relay: z.boolean().optional(),
});

/** Keys of {@link linkAttrsSchema}, for splitting netlab's dict form. */
export const LINK_ATTRIBUTE_KEYS = Object.keys(linkAttrsSchema.shape);

/** One reachability test under `validate:`. */
export const validateTestSchema = z.strictObject({
  name: z.string().optional(),
  from: z.union([nodeNameSchema, z.array(nodeNameSchema).min(1)]),
  ping: z.union([z.string(), z.array(z.string()).min(1)]),
  expect: z.enum(["success", "fail"]).optional(),
  af: z.enum(["ipv4", "ipv6"]).optional(),
});

/** `nodes:` as a container: a list of names or a map; each node is checked on its own. */
export const nodesSchema = z.union([z.array(z.string()), z.record(z.string(), z.unknown())]);

/** `validate:`: a list of tests, or a map of test name → test. */
export const validateSchema = z.union([
  z.array(validateTestSchema),
  z.record(z.string(), validateTestSchema.omit({ name: true })),
]);

/**
 * The top level of the file. Each section is validated on its own (see
 * `load.ts`), so one bad section does not hide problems in the others.
 */
export const topologySchema = z.strictObject({
  name: labNameSchema.optional(),
  defaults: defaultsSchema.optional(),
  addressing: addressingSchema.optional(),
  routing: z.enum(["static", "none"]).optional(),
  nodes: nodesSchema,
  links: z.array(z.unknown()).optional(),
  validate: validateSchema.optional(),
});

/** A topology file as written, before defaults and cross-checks. */
export type TopologyInput = z.input<typeof topologySchema>;
/** One node's attributes as written. */
export type NodeInput = z.input<typeof nodeSchema>;
/** A link's attributes as written (besides its endpoints). */
export type LinkAttrsInput = z.input<typeof linkAttrsSchema>;
/** An address pool as written. */
export type PoolInput = z.input<typeof poolSchema>;
