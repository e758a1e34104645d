/**
 * Normalizes `nodes:` (a list of names or a map of name → attributes) with
 * `defaults:` applied.
 */
import { isAbsolute, resolve } from "node:path";
import type { z } from "zod";
import type { Diagnostic } from "../errors.js";
import { parseAddress, parseCidr } from "../ip.js";
import { MODULE_NAMES } from "./modules/index.js";
import { withoutNetlabOnly } from "./netlab-only.js";
import { type NodeInput, nodeNameSchema, nodeSchema, type TopologyInput } from "./schema.js";
import type { TopologyNode, TopologyRoute } from "./types.js";
import { issuesToDiagnostics } from "./zod-issues.js";

/**
 * @param input - the shape-checked topology
 * @param diagnostics - problems are appended here
 * @returns nodes in document order
 */
export function normalizeNodes(
  input: Partial<TopologyInput>,
  diagnostics: Diagnostic[],
  baseDir = ".",
  format: "netlab" | "wirelab" = "wirelab",
): TopologyNode[] {
  const defaults = input.defaults ?? {};
  const raw = input.nodes ?? [];
  const entries: [string, unknown, (string | number)[]][] = Array.isArray(raw)
    ? raw.map((name, i) => [name, null, ["nodes", i]])
    : Object.entries(raw).map(([name, attrs]) => [name, attrs, ["nodes", name]]);
  const seen = new Map<string, (string | number)[]>();
  const nodes: TopologyNode[] = [];
  for (const [name, rawAttrs, path] of entries) {
    const nameCheck = nodeNameSchema.safeParse(name);
    if (!nameCheck.success) {
      diagnostics.push({
        code: "bad-name",
        message: `node name "${name}": ${nameCheck.error.issues[0]?.message ?? "invalid"}`,
        path,
        atKey: !Array.isArray(raw),
      });
      continue;
    }
    if (seen.has(name)) {
      diagnostics.push({
        code: "duplicate-name",
        message: `node "${name}" is listed twice`,
        path,
        related: seen.get(name) ?? [],
      });
      continue;
    }
    seen.set(name, path);
    // A node with bad attributes still exists, so links to it do not report it as unknown.
    const given =
      rawAttrs !== null && typeof rawAttrs === "object" && !Array.isArray(rawAttrs)
        ? withoutNetlabOnly(rawAttrs as Record<string, unknown>, "node", path, diagnostics)
        : rawAttrs;
    const parsed = nodeSchema.safeParse(given ?? {});
    if (!parsed.success)
      diagnostics.push(...issuesToDiagnostics(parsed.error.issues, given, nodeSchema, path));
    const attrs: NodeInput = parsed.success ? parsed.data : {};
    const device = attrs.device ?? defaults.device ?? "linux";
    const role = attrs.role ?? (device === "frr" ? "router" : "host");
    const routes = (attrs.routes ?? []).flatMap((r, i) => {
      const route = normalizeRoute(r.prefix, r.via, [...path, "routes", i], diagnostics);
      return route ? [route] : [];
    });
    const written = attrs.loopback ?? defaults.loopback;
    // netlab gives routers a loopback, and takes each family from the pool unless one is written.
    const loopback =
      format === "netlab"
        ? netlabLoopback(written, role, [...path, "loopback"], diagnostics)
        : normalizeLoopback(written, [...path, "loopback"], diagnostics);
    const forwarding = attrs.forwarding ?? defaults.forwarding;
    const output = attrs as z.output<typeof nodeSchema>;
    const modules = MODULE_NAMES.filter((m) => attrs.module?.includes(m));
    nodes.push({
      name,
      kind: attrs.kind ?? defaults.kind ?? "linux",
      device,
      role,
      modules,
      ...(written === undefined ? { loopbackUnsaid: true } : {}),
      ...(attrs.id !== undefined ? { id: attrs.id } : {}),
      ...(attrs.mtu !== undefined ? { mtu: attrs.mtu } : {}),
      ...(output.ospf ? { ospf: output.ospf } : {}),
      ...(output.bgp ? { bgp: output.bgp } : {}),
      ...(output.isis ? { isis: output.isis } : {}),
      ...(output.routing ? { routing: output.routing } : {}),
      ...routerFiles(attrs, baseDir),
      routes,
      path,
      ...(forwarding !== undefined ? { forwarding } : {}),
      ...(loopback !== undefined ? { loopback } : {}),
      ...(attrs.memory !== undefined ? { memory: attrs.memory } : {}),
      ...(attrs.cpus !== undefined ? { cpus: attrs.cpus } : {}),
      ...(attrs.nic !== undefined ? { nic: attrs.nic } : {}),
      ...(attrs.start !== undefined ? { start: attrs.start } : {}),
      ...(attrs.exec?.length ? { exec: attrs.exec } : {}),
      ...userImage(attrs, baseDir),
      written: Object.keys(attrs).filter((k) => attrs[k as keyof NodeInput] !== undefined),
    });
  }
  return nodes;
}

function normalizeRoute(
  prefix: string,
  via: string,
  path: (string | number)[],
  diagnostics: Diagnostic[],
): TopologyRoute | undefined {
  const gw = parseAddress(via);
  if (!gw) {
    diagnostics.push({
      code: "bad-route",
      message: `route via "${via}" is not an IP address`,
      path: [...path, "via"],
    });
    return undefined;
  }
  let normalized: string;
  if (prefix === "default") {
    normalized = gw.family === "ipv4" ? "0.0.0.0/0" : "::/0";
  } else {
    const c = parseCidr(prefix);
    if (!c) {
      diagnostics.push({
        code: "bad-prefix",
        message: `route prefix "${prefix}" is not a prefix; write it as address/length (e.g. 10.20.60.0/24) or "default"`,
        path: [...path, "prefix"],
      });
      return undefined;
    }
    if (c.family !== gw.family) {
      diagnostics.push({
        code: "bad-route",
        message: `route to ${prefix} via ${via} mixes IPv4 and IPv6`,
        path: [...path, "via"],
      });
      return undefined;
    }
    normalized = `${c.address}/${c.length}`;
  }
  return { prefix: normalized, via: gw.address, path };
}

type LoopbackInput =
  | boolean
  | string
  | {
      ipv4?: string | boolean | undefined;
      ipv6?: string | boolean | undefined;
      pool?: string | undefined;
    }
  | undefined;

/**
 * netlab's loopback (netlab docs, "Nodes", Loopbacks): a router has one
 * unless it says `false`, a host only with `true`; each family comes from
 * the pool unless an address is written or it is `false`.
 */
function netlabLoopback(
  value: LoopbackInput,
  role: "router" | "host",
  path: (string | number)[],
  diagnostics: Diagnostic[],
): TopologyNode["loopback"] {
  if (value === false || (value === undefined && role === "host")) return undefined;
  if (value === undefined || value === true) return { ipv4: true, ipv6: true };
  const byFamily =
    typeof value === "string" ? (value.includes(":") ? { ipv6: value } : { ipv4: value }) : value;
  const filled = {
    ...byFamily,
    ipv4: byFamily.ipv4 ?? true,
    ipv6: byFamily.ipv6 ?? true,
  };
  return normalizeLoopback(filled, path, diagnostics);
}

function normalizeLoopback(
  value: LoopbackInput,
  path: (string | number)[],
  diagnostics: Diagnostic[],
): TopologyNode["loopback"] {
  if (value === undefined || value === false) return undefined;
  if (value === true) return { ipv4: true, ipv6: true };
  const byFamily =
    typeof value === "string" ? (value.includes(":") ? { ipv6: value } : { ipv4: value }) : value;
  const out: { ipv4?: string | true; ipv6?: string | true; pool?: string } = {};
  if (typeof value === "object" && value.pool !== undefined) out.pool = value.pool;
  for (const family of ["ipv4", "ipv6"] as const) {
    const text = byFamily[family];
    if (text === undefined || text === false) continue;
    if (text === true) {
      out[family] = true;
      continue;
    }
    const withLength = text.includes("/") ? text : `${text}/${family === "ipv4" ? 32 : 128}`;
    const c = parseCidr(withLength);
    if (!c || c.family !== family) {
      diagnostics.push({
        code: "bad-prefix",
        message: `loopback ${family} "${text}" is not an ${family === "ipv4" ? "IPv4" : "IPv6"} address`,
        path: typeof value === "string" ? path : [...path, family],
      });
      continue;
    }
    out[family] = `${c.address}/${c.length}`;
  }
  return out;
}

/** `config` and `daemons` of a router, paths made absolute against the topology file's folder. */
function routerFiles(
  attrs: NodeInput,
  baseDir: string,
): { router?: NonNullable<TopologyNode["router"]> } {
  if (attrs.config === undefined && attrs.daemons === undefined) return {};
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  return {
    router: {
      ...(attrs.config !== undefined ? { config: abs(attrs.config) } : {}),
      ...(attrs.daemons !== undefined ? { daemons: abs(attrs.daemons) } : {}),
    },
  };
}

/**
 * `image`, `kernel`, `initrd`, `append` of a node booting a user's image,
 * paths made absolute against the topology file's folder. Whether the node's
 * kind takes them is the planner's question (its kind says).
 */
function userImage(
  attrs: NodeInput,
  baseDir: string,
): { userImage?: NonNullable<TopologyNode["userImage"]> } {
  if (attrs.image === undefined && attrs.kernel === undefined) return {};
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  return {
    userImage: {
      ...(attrs.image !== undefined ? { disk: abs(attrs.image) } : {}),
      ...(attrs.kernel !== undefined ? { kernel: abs(attrs.kernel) } : {}),
      ...(attrs.initrd !== undefined ? { initrd: abs(attrs.initrd) } : {}),
      ...(attrs.append !== undefined ? { append: attrs.append } : {}),
    },
  };
}
