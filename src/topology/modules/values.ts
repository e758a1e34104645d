/**
 * Value types netlab's module attributes share (netlab docs, "Lab Topology
 * Attribute Validation", Valid Data Types), in zod: IPv4 identifiers (areas,
 * router IDs), AS numbers, address families, route imports.
 */
import { z } from "zod";
import { parseAddress, parseCidr } from "../../ip.js";

/**
 * An IPv4 identifier (netlab's `{ type: ipv4, use: id }`): a dotted quad, or
 * a 32-bit number (OSPF area 0, 51), normalized to the dotted quad.
 */
export const ipv4IdSchema = z
  .union([z.string(), z.number().int().min(0).max(0xffffffff)])
  .transform((v, ctx) => {
    if (typeof v === "number")
      return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join(".");
    const a = parseAddress(v);
    if (a?.family !== "ipv4") {
      ctx.addIssue({
        code: "custom",
        message: `"${v}" is not an IPv4 address or a number; write it as 0.0.0.1 or 1`,
      });
      return z.NEVER;
    }
    return a.address;
  });

/**
 * An AS number (netlab's `asn`): 1 to 4294967295, or asdot (`1.10`,
 * RFC 5396), normalized to a number.
 */
export const asnSchema = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const bad = () => {
    ctx.addIssue({
      code: "custom",
      message: `${JSON.stringify(v)} is not an AS number (1 to 4294967295, or asdot like 1.10)`,
    });
    return z.NEVER;
  };
  if (typeof v === "number") return Number.isInteger(v) && v >= 1 && v <= 0xffffffff ? v : bad();
  const m = /^(\d+)\.(\d+)$/.exec(v) ?? /^(\d+)$/.exec(v);
  if (!m) return bad();
  if (m[2] === undefined) {
    const n = Number(m[1]);
    return n >= 1 && n <= 0xffffffff ? n : bad();
  }
  const hi = Number(m[1]);
  const lo = Number(m[2]);
  return hi > 65535 || lo > 65535 || hi * 65536 + lo === 0 ? bad() : hi * 65536 + lo;
});

/** Address families, as netlab lets them be written: a list, a map of flags, or nothing (the node's). */
export const afSchema = z
  .union([
    z.array(z.enum(["ipv4", "ipv6"])),
    z.strictObject({ ipv4: z.boolean().optional(), ipv6: z.boolean().optional() }),
    z.boolean(),
    z.null(),
  ])
  .transform((v): { ipv4?: boolean; ipv6?: boolean } | boolean | undefined => {
    if (v === null) return undefined;
    if (Array.isArray(v)) return Object.fromEntries(v.map((f) => [f, true]));
    if (typeof v === "boolean") return v;
    return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined));
  });

/** Protocols a route import may take routes from (netlab's `_r_import`, the ones wirelab configures). */
export const IMPORT_SOURCES = ["bgp", "ospf", "isis", "connected", "static"] as const;

/** One source of a route import: `true` (or nothing), or a map (a `policy` needs the routing policy wirelab does not run). */
const importEntrySchema = z.union([
  z.literal(true),
  z.null(),
  z.strictObject({ policy: z.unknown().optional() }).refine((o) => o.policy === undefined, {
    message:
      "an import policy needs netlab's routing policies, which wirelab does not implement; import without one",
    path: ["policy"],
  }),
]);

/**
 * `import:` of a routing protocol (netlab's `_r_import`): a list of source
 * protocols, or a map of source → settings.
 */
export const importSchema = z
  .union([
    z.array(z.enum(IMPORT_SOURCES)),
    z.partialRecord(z.enum(IMPORT_SOURCES), importEntrySchema),
  ])
  .transform((v): (typeof IMPORT_SOURCES)[number][] =>
    Array.isArray(v) ? [...new Set(v)] : IMPORT_SOURCES.filter((p) => p in v),
  );

/** An IPv4 or IPv6 prefix (`10.0.0.0/24`, `2001:db8::/64`), normalized to network/length. */
export const prefixSchema = z.string().transform((v, ctx) => {
  const c = parseCidr(v);
  if (!c) {
    ctx.addIssue({ code: "custom", message: `"${v}" is not a prefix; write it as address/length` });
    return z.NEVER;
  }
  return v;
});
