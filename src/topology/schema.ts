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
import {
  bgpGlobalSchema,
  bgpInterfaceSchema,
  bgpLinkSchema,
  bgpNodeSchema,
} from "./modules/bgp.js";
import { isisGlobalSchema, isisLinkSchema, isisNodeSchema } from "./modules/isis.js";
import {
  ospfGlobalSchema,
  ospfInterfaceSchema,
  ospfLinkSchema,
  ospfNodeSchema,
} from "./modules/ospf.js";
import { routingGlobalSchema, routingNodeSchema } from "./modules/routing.js";

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

/**
 * `loopback: true | false | "10.0.0.1/32" | { ipv4, ipv6, pool }`: per
 * family an address, `true` (from the pool) or `false` (none); `pool`
 * names the pool to take from (netlab docs, "Nodes", Loopbacks).
 */
export const loopbackSchema = z.union([
  z.boolean(),
  cidrString,
  z.strictObject({
    ipv4: z.union([cidrString, z.boolean()]).optional(),
    ipv6: z.union([cidrString, z.boolean()]).optional(),
    pool: z.string().optional(),
  }),
]);

/** Module names a node may run (netlab's names). */
export const moduleNameSchema = z.enum(["ospf", "bgp", "isis", "routing"]);

/** Interface MTU in bytes (netlab's range). */
const mtuSchema = z.number().int().min(64).max(9216);

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
  /** How a VM of wirelab's image starts: restored from its shape's snapshot (default) or booted. */
  start: z.enum(["snapshot", "boot"]).optional(),
  /** Node ID (netlab's): loopback and LAN host addresses, IS-IS system ID; the next free one by default. */
  id: z.number().int().min(1).max(4094).optional(),
  /** What the node is (netlab's role): a router takes the topology's modules and, in netlab files, a loopback. */
  role: z.enum(["router", "host"]).optional(),
  /** Configuration modules the node runs (netlab's `module`). */
  module: z.array(moduleNameSchema).optional(),
  /** MTU of every interface that names none, in bytes. */
  mtu: mtuSchema.optional(),
  ospf: ospfNodeSchema.optional(),
  bgp: bgpNodeSchema.optional(),
  isis: isisNodeSchema.optional(),
  routing: routingNodeSchema.optional(),
});

/**
 * An address pool (netlab docs, "Topology Address Pools"): `{ ipv4:
 * 10.1.0.0/16, prefix: 30, ipv6: 2001:db8:1::/48, prefix6: 64 }`; `ipv4:
 * true` or `ipv6: true` make unnumbered (LLA-only) interfaces, `unnumbered:
 * true` both; `allocation` the way hosts get addresses; `start` the first
 * address's offset.
 */
export const poolSchema = z.strictObject({
  ipv4: z.union([cidrString, z.boolean()]).optional(),
  ipv6: z.union([cidrString, z.boolean()]).optional(),
  prefix: z.number().int().min(1).max(32).optional(),
  prefix6: z.number().int().min(1).max(128).optional(),
  allocation: z.enum(["p2p", "sequential", "id_based"]).optional(),
  unnumbered: z.boolean().optional(),
  start: z.number().int().min(0).optional(),
  /** MAC addresses of netlab's management pool: wirelab makes its own. */
  mac: z.string().optional(),
});

/** `addressing:`: the loopback, p2p, LAN and router ID pools, and pools of the topology's own. */
export const addressingSchema = z.record(
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a pool name uses letters, digits and _"),
  z.union([poolSchema, z.null()]),
);

/** `defaults:`: node attributes that apply where a node says nothing. */
export const defaultsSchema = z.strictObject({
  kind: nodeKindSchema.optional(),
  device: deviceSchema.optional(),
  forwarding: z.boolean().optional(),
  loopback: z.boolean().optional(),
  /** netlab's constants; `const.validate` names wait times (s) of `validate` tests. */
  const: z
    .looseObject({
      validate: z
        .record(z.string(), z.union([z.number().int().min(0), z.record(z.string(), z.unknown())]))
        .optional(),
    })
    .optional(),
  /** `interfaces.mtu`: the MTU of nodes that name none (netlab's). */
  interfaces: z.strictObject({ mtu: mtuSchema.optional() }).optional(),
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
  /** netlab's interface index: the interface is `eth<ifindex>`. */
  ifindex: z.number().int().min(1).max(4094).optional(),
  /** Impairments of the frames this node sends on the link. */
  impair: impairSchema.optional(),
  mtu: mtuSchema.optional(),
  /** Interface bandwidth in kbit/s (FRR's `bandwidth`, for protocols' costs). */
  bandwidth: z.number().int().min(1).optional(),
  /** Leave the interface down. */
  shutdown: z.boolean().optional(),
  /** Free text, the interface's description (netlab makes one of the link's ends). */
  description: z.string().optional(),
  ospf: z.union([ospfInterfaceSchema, z.literal(false)]).optional(),
  bgp: z.union([bgpInterfaceSchema, z.literal(false)]).optional(),
  isis: z.union([isisLinkSchema, z.literal(false)]).optional(),
});

/** Attributes a link may carry besides its endpoints. */
export const linkAttrsSchema = z.strictObject({
  endpoints: z.array(z.string()).optional(),
  name: z.string().optional(),
  /** Free text, the interfaces' description (netlab's link `name`). */
  description: z.string().optional(),
  /** `stub`: one node (netlab's); `lan`: a LAN even of two. */
  type: z.enum(["p2p", "lan", "stub"]).optional(),
  transport: transportSchema.optional(),
  /**
   * The link's prefixes: a prefix, a named prefix (top-level `prefix`), a
   * map per family (`true`: unnumbered/LLA-only; `false`: none), or `false`
   * for no addresses at all.
   */
  prefix: z
    .union([
      cidrString,
      z.literal(false),
      z.strictObject({
        ipv4: z.union([cidrString, z.boolean()]).optional(),
        ipv6: z.union([cidrString, z.boolean()]).optional(),
        allocation: z.enum(["p2p", "sequential", "id_based"]).optional(),
      }),
    ])
    .optional(),
  /** The address pool to take the prefix from (netlab's `pool`). */
  pool: z.string().optional(),
  /** Unnumbered: IPv4 from each node's loopback, IPv6 link-local only. */
  unnumbered: z.boolean().optional(),
  /** netlab's link role: `stub` and `passive` make IGP interfaces passive, `external` leaves IGPs off. */
  role: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .optional(),
  mtu: mtuSchema.optional(),
  /** Bandwidth in kbit/s (FRR's `bandwidth`). */
  bandwidth: z.number().int().min(1).optional(),
  /** Leave every interface of the link down. */
  shutdown: z.boolean().optional(),
  /** IPv6 router advertisements of the routers on the link (netlab docs, "Links", IPv6 RA). */
  ra: z
    .strictObject({
      disable: z.boolean().optional(),
      slaac: z.boolean().optional(),
      onlink: z.boolean().optional(),
      dhcp: z.enum(["all", "other"]).optional(),
    })
    .optional(),
  ospf: z.union([ospfLinkSchema, z.literal(false)]).optional(),
  bgp: z.union([bgpLinkSchema, z.literal(false)]).optional(),
  isis: z.union([isisLinkSchema, z.literal(false)]).optional(),
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

/** A command per device, or one for all (netlab's `show`, `exec`, `valid`). */
const perDevice = z.union([z.string(), z.record(z.string(), z.string())]);

/**
 * One of netlab's tests (netlab docs, "Lab Validation Tests"): on `nodes`,
 * a `plugin` call (netlab's validation plugins), a `show` (JSON) or `exec`
 * command with a `valid` expression, or a `wait` alone; retried up to
 * `wait` seconds (or a `const.validate` name).
 */
export const netlabTestSchema = z.strictObject({
  name: z.string().optional(),
  description: z.string().optional(),
  nodes: z.array(z.string()).optional(),
  devices: z.array(z.string()).optional(),
  plugin: z.string().min(1).optional(),
  show: perDevice.optional(),
  exec: perDevice.optional(),
  valid: perDevice.optional(),
  wait: z
    .union([z.number().int().min(0), z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]*$/)])
    .optional(),
  wait_msg: z.string().optional(),
  level: z.enum(["warning"]).optional(),
  stop_on_error: z.boolean().optional(),
  pass: z.string().optional(),
  fail: z.string().optional(),
  /** netlab's configuration-template step: not run by wirelab (noted at load, skipped by validate). */
  config: z.unknown().optional(),
  suzieq: z.unknown().optional(),
});

/** `nodes:` as a container: a list of names or a map; each node is checked on its own. */
export const nodesSchema = z.union([z.array(z.string()), z.record(z.string(), z.unknown())]);

/** `validate:`: a list of tests, or a map of test name → test; each is checked on its own (`tests.ts`). */
export const validateSchema = z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]);

/** A named prefix (netlab docs, "Named Prefixes"): prefixes per family, or a pool to take them from. */
export const namedPrefixSchema = z.strictObject({
  ipv4: cidrString.optional(),
  ipv6: cidrString.optional(),
  pool: z.string().optional(),
  allocation: z.enum(["p2p", "sequential", "id_based"]).optional(),
});

/**
 * The top level of the file. Each section is validated on its own (see
 * `load.ts`), so one bad section does not hide problems in the others.
 */
export const topologySchema = z.strictObject({
  name: labNameSchema.optional(),
  defaults: defaultsSchema.optional(),
  addressing: addressingSchema.optional(),
  /** `static` or `none` (wirelab's routes everywhere); a map is netlab's routing module (static routes). */
  routing: z.union([z.enum(["static", "none"]), routingGlobalSchema]).optional(),
  nodes: nodesSchema,
  links: z.array(z.unknown()).optional(),
  validate: validateSchema.optional(),
  /** Modules some node runs (set by the loader from the nodes'). */
  module: z.array(moduleNameSchema).optional(),
  /** Global module attributes (netlab's), already given to the nodes that run the module. */
  ospf: ospfGlobalSchema.optional(),
  bgp: bgpGlobalSchema.optional(),
  isis: isisGlobalSchema.optional(),
  /** Named prefixes: `prefix: { pf1: { ipv4: 10.42.0.0/24 } }`. */
  prefix: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), namedPrefixSchema).optional(),
  /** Printed by `up` (netlab's message to the lab's user). */
  message: z.string().optional(),
});

/** A topology file as written, before defaults and cross-checks. */
export type TopologyInput = z.input<typeof topologySchema>;
/** One node's attributes as written. */
export type NodeInput = z.input<typeof nodeSchema>;
/** A link's attributes as written (besides its endpoints). */
export type LinkAttrsInput = z.input<typeof linkAttrsSchema>;
/** An address pool as written. */
export type PoolInput = z.input<typeof poolSchema>;
