/**
 * Normalizes the link forms (docs/topology.md) into {@link TopologyLink}s:
 * `a-b`, `a-b-c` (netlab strings), `[a, b]` (list, items may be `node:ifname`),
 * `endpoints: ["a:eth1", "b:eth2"]` (containerlab), and netlab's dict form
 * whose keys are node names (per-node `ipv4`/`ipv6`/`ifname`) mixed with link
 * attributes.
 */
import type { Diagnostic } from "../errors.js";
import { withoutNetlabOnly } from "./netlab-only.js";
import {
  endpointAttrsSchema,
  LINK_ATTRIBUTE_KEYS,
  type LinkAttrsInput,
  linkAttrsSchema,
} from "./schema.js";
import { didYouMean, show } from "./suggest.js";
import type { SourcePath, TopologyEndpoint, TopologyLink } from "./types.js";
import { issuesToDiagnostics } from "./zod-issues.js";

/**
 * Normalizes `links:`.
 *
 * @param raw - the `links` list as plain data
 * @param nodes - known node names
 * @param diagnostics - problems are appended here
 * @returns the links that could be understood (others are reported)
 */
export function normalizeLinks(
  raw: readonly unknown[],
  nodes: ReadonlySet<string>,
  diagnostics: Diagnostic[],
): TopologyLink[] {
  const links: TopologyLink[] = [];
  raw.forEach((item, index) => {
    const path: SourcePath = ["links", index];
    const link = normalizeLink(item, index, path, nodes, diagnostics);
    if (link) links.push(link);
  });
  return links;
}

function normalizeLink(
  item: unknown,
  index: number,
  path: SourcePath,
  nodes: ReadonlySet<string>,
  diagnostics: Diagnostic[],
): TopologyLink | undefined {
  if (typeof item === "string") {
    const names = splitLinkString(item, nodes, path, diagnostics);
    return (
      names &&
      finish(
        index,
        path,
        {},
        names.map((node) => ({ node, path })),
        diagnostics,
      )
    );
  }
  if (Array.isArray(item)) {
    const endpoints = item.map((e, i) => parseEndpointRef(e, [...path, i], nodes, diagnostics));
    if (endpoints.some((e) => e === undefined)) return undefined;
    return finish(index, path, {}, endpoints as TopologyEndpoint[], diagnostics);
  }
  if (item !== null && typeof item === "object") {
    return normalizeDictLink(item as Record<string, unknown>, index, path, nodes, diagnostics);
  }
  diagnostics.push({
    code: "bad-type",
    message: `link: expected "a-b", a list of nodes or a map, got ${show(item)}`,
    path,
  });
  return undefined;
}

function normalizeDictLink(
  item: Record<string, unknown>,
  index: number,
  path: SourcePath,
  nodes: ReadonlySet<string>,
  diagnostics: Diagnostic[],
): TopologyLink | undefined {
  let attrs: Record<string, unknown> = {};
  const endpoints: TopologyEndpoint[] = [];
  let ok = true;
  for (const [key, value] of Object.entries(item)) {
    if (nodes.has(key)) {
      const given =
        value !== null && typeof value === "object" && !Array.isArray(value)
          ? withoutNetlabOnly(
              value as Record<string, unknown>,
              "interface",
              [...path, key],
              diagnostics,
            )
          : value;
      const parsed = endpointAttrsSchema.safeParse(given ?? {});
      if (!parsed.success) {
        diagnostics.push(
          ...issuesToDiagnostics(parsed.error.issues, given, endpointAttrsSchema, [...path, key]),
        );
        ok = false;
        continue;
      }
      const { ifindex, ...rest } = parsed.data;
      // netlab's interface index names the interface (eth{ifindex}, netlab's devices/frr.yml).
      const ifname = rest.ifname ?? (ifindex !== undefined ? `eth${ifindex}` : undefined);
      endpoints.push({
        node: key,
        ...definedOnly(rest),
        ...(ifname !== undefined ? { ifname } : {}),
        path: [...path, key],
      } as TopologyEndpoint);
    } else if (LINK_ATTRIBUTE_KEYS.includes(key) || isNetlabLinkKey(key)) {
      attrs[key] = value;
    } else {
      diagnostics.push({
        code: "unknown-key",
        message: `link: "${key}" is neither a node nor a link attribute${didYouMean(key, [...nodes, ...LINK_ATTRIBUTE_KEYS])}; link attributes are: ${LINK_ATTRIBUTE_KEYS.join(", ")}`,
        path: [...path, key],
        atKey: true,
      });
      ok = false;
    }
  }
  attrs = withoutNetlabOnly(attrs, "link", path, diagnostics);
  const parsedAttrs = linkAttrsSchema.safeParse(attrs);
  if (!parsedAttrs.success) {
    diagnostics.push(
      ...issuesToDiagnostics(parsedAttrs.error.issues, attrs, linkAttrsSchema, [...path]),
    );
    return undefined;
  }
  const a = parsedAttrs.data;
  if (a.endpoints) {
    if (endpoints.length > 0) {
      diagnostics.push({
        code: "bad-value",
        message: `link: use either "endpoints" or node keys, not both`,
        path: [...path, "endpoints"],
        atKey: true,
      });
      return undefined;
    }
    a.endpoints.forEach((e, i) => {
      const ep = parseEndpointRef(e, [...path, "endpoints", i], nodes, diagnostics);
      if (ep) endpoints.push(ep);
      else ok = false;
    });
  }
  if (!ok) return undefined;
  return finish(index, path, a, endpoints, diagnostics);
}

function finish(
  index: number,
  path: SourcePath,
  attrs: LinkAttrsInput,
  endpoints: TopologyEndpoint[],
  diagnostics: Diagnostic[],
): TopologyLink | undefined {
  if (endpoints.length === 0) {
    diagnostics.push({
      code: "link-too-short",
      message: `link has no endpoints; a link joins nodes (one node alone makes a stub network)`,
      path,
    });
    return undefined;
  }
  if (attrs.type === "stub" && endpoints.length > 1) {
    diagnostics.push({
      code: "bad-value",
      message: `link has ${endpoints.length} endpoints but "type: stub" (a network of one node); remove the type`,
      path: [...path, "type"],
    });
    return undefined;
  }
  if (attrs.type === "p2p" && endpoints.length > 2) {
    diagnostics.push({
      code: "bad-value",
      message: `link has ${endpoints.length} endpoints but "type: p2p"; remove the type or make it "lan"`,
      path: [...path, "type"],
    });
    return undefined;
  }
  // A prefix without a length is a named prefix (top-level `prefix:`).
  const named =
    typeof attrs.prefix === "string" && !attrs.prefix.includes("/") ? attrs.prefix : undefined;
  const prefix =
    named !== undefined
      ? undefined
      : typeof attrs.prefix === "string"
        ? prefixByFamily(attrs.prefix)
        : attrs.prefix;
  const type = attrs.type ?? (endpoints.length === 1 ? "stub" : undefined);
  return {
    index,
    endpoints,
    path,
    ...(type !== undefined ? { type } : {}),
    ...(attrs.name !== undefined ? { name: attrs.name } : {}),
    ...(named !== undefined ? { prefixName: named } : {}),
    ...(attrs.description !== undefined ? { description: attrs.description } : {}),
    ...(attrs.pool !== undefined ? { pool: attrs.pool } : {}),
    ...(attrs.unnumbered !== undefined ? { unnumbered: attrs.unnumbered } : {}),
    ...(attrs.role !== undefined ? { role: attrs.role } : {}),
    ...(attrs.mtu !== undefined ? { mtu: attrs.mtu } : {}),
    ...(attrs.bandwidth !== undefined ? { bandwidth: attrs.bandwidth } : {}),
    ...(attrs.shutdown !== undefined ? { shutdown: attrs.shutdown } : {}),
    ...(attrs.ra !== undefined ? { ra: definedOnly(attrs.ra) } : {}),
    ...(attrs.ospf !== undefined ? { ospf: attrs.ospf } : {}),
    ...(attrs.bgp !== undefined ? { bgp: attrs.bgp } : {}),
    ...(attrs.isis !== undefined ? { isis: attrs.isis } : {}),
    ...(attrs.transport !== undefined ? { transport: attrs.transport } : {}),
    ...(attrs.impair !== undefined ? { impair: attrs.impair } : {}),
    ...(attrs.relay !== undefined ? { relay: attrs.relay } : {}),
    ...(prefix !== undefined ? { prefix: prefix === false ? false : definedOnly(prefix) } : {}),
  } as TopologyLink;
}

/** Keys netlab's links have that wirelab does not take: they reach `withoutNetlabOnly`, which names them. */
const isNetlabLinkKey = (key: string): boolean =>
  [
    "vlan",
    "vrf",
    "gateway",
    "group",
    "members",
    "bridge",
    "dhcp",
    "lag",
    "stp",
    "mpls",
    "evpn",
    "vxlan",
    "bfd",
    "sr",
    "srv6",
  ].includes(key);

function prefixByFamily(prefix: string): { ipv4?: string; ipv6?: string } {
  return prefix.includes(":") ? { ipv6: prefix } : { ipv4: prefix };
}

/** Parses `node` or `node:ifname`. */
function parseEndpointRef(
  value: unknown,
  path: SourcePath,
  nodes: ReadonlySet<string>,
  diagnostics: Diagnostic[],
): TopologyEndpoint | undefined {
  if (typeof value !== "string") {
    diagnostics.push({
      code: "bad-type",
      message: `endpoint: expected "node" or "node:interface", got ${show(value)}`,
      path,
    });
    return undefined;
  }
  const colon = value.indexOf(":");
  const node = colon < 0 ? value : value.slice(0, colon);
  const ifname = colon < 0 ? undefined : value.slice(colon + 1);
  if (!nodes.has(node)) {
    diagnostics.push(unknownNode(node, nodes, path));
    return undefined;
  }
  if (ifname !== undefined && ifname === "") {
    diagnostics.push({
      code: "bad-value",
      message: `endpoint "${value}" has an empty interface name`,
      path,
    });
    return undefined;
  }
  return { node, path, ...(ifname !== undefined ? { ifname } : {}) };
}

/**
 * Splits a netlab link string such as `a-b-c` into node names. Node names may
 * themselves contain dashes, so every way of cutting the string into known
 * names is tried; exactly one must work.
 */
function splitLinkString(
  text: string,
  nodes: ReadonlySet<string>,
  path: SourcePath,
  diagnostics: Diagnostic[],
): string[] | undefined {
  const parts = text.split("-");
  const solutions: string[][] = [];
  const search = (start: number, acc: string[]): void => {
    if (solutions.length > 1) return;
    if (start === parts.length) {
      solutions.push(acc);
      return;
    }
    for (let end = start + 1; end <= parts.length; end++) {
      const name = parts.slice(start, end).join("-");
      if (nodes.has(name)) search(end, [...acc, name]);
    }
  };
  search(0, []);
  if (solutions.length === 1) return solutions[0];
  if (solutions.length > 1) {
    diagnostics.push({
      code: "ambiguous-link",
      message: `link "${text}" can be read as ${solutions.map((s) => s.join(" + ")).join(" or as ")}; use the list form [${(solutions[0] ?? []).join(", ")}]`,
      path,
    });
    return undefined;
  }
  const unknown = parts.find((p) => !nodes.has(p)) ?? text;
  diagnostics.push(unknownNode(unknown, nodes, path, `link "${text}": `));
  return undefined;
}

/** The diagnostic for a reference to a node that does not exist. */
export function unknownNode(
  name: string,
  nodes: ReadonlySet<string>,
  path: SourcePath,
  lead = "",
): Diagnostic {
  const list = [...nodes];
  const shown = list.length > 12 ? `${list.slice(0, 12).join(", ")}, …` : list.join(", ");
  return {
    code: "unknown-node",
    message: `${lead}unknown node "${name}"${didYouMean(name, list)} (nodes are: ${shown})`,
    path,
  };
}

function definedOnly<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
