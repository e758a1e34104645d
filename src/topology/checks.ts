/**
 * Second-pass checks on a normalized topology: names that the kernel would
 * refuse, interfaces used twice, bad prefixes and addresses, and features
 * this version cannot build yet. Address clashes are found by the planner,
 * which sees allocated addresses too.
 */

import type { Diagnostic } from "../errors.js";
import { isNetwork, networkOf, parseCidr } from "../ip.js";
import { type ImpairmentInput, parseImpairment } from "../wire/impairment.js";
import type { AddressRequest, SourcePath, TopologyLink, TopologyNode } from "./types.js";

/** Linux IFNAMSIZ is 16 bytes including the terminating NUL. */
export const MAX_IFNAME = 15;

/**
 * @param nodes - normalized nodes
 * @param links - normalized links
 * @param diagnostics - problems are appended here
 */
export function checkTopology(
  nodes: readonly TopologyNode[],
  links: readonly TopologyLink[],
  diagnostics: Diagnostic[],
): void {
  const kinds = new Map(nodes.map((n) => [n.name, n.kind]));
  const linkNames = new Map<string, SourcePath>();
  const ifnames = new Map<string, SourcePath>();
  for (const link of links) {
    if (link.name !== undefined) {
      checkKernelName(link.name, "link name", [...link.path, "name"], diagnostics);
      const first = linkNames.get(link.name);
      if (first) {
        diagnostics.push({
          code: "duplicate-name",
          message: `link name "${link.name}" is used twice`,
          path: [...link.path, "name"],
          related: first,
        });
      } else linkNames.set(link.name, [...link.path, "name"]);
    }
    const prefix = checkLinkPrefix(link, diagnostics);
    checkTransport(link, kinds, diagnostics);
    checkImpairments(link, diagnostics);
    if (link.transport === "veth" && link.type === "lan") {
      diagnostics.push({
        code: "bad-value",
        message: `transport "veth" joins exactly two nodes; this link is a LAN, use "bridge"`,
        path: [...link.path, "transport"],
      });
    }
    if (link.endpoints.some((e) => kinds.get(e.node) === "vm") && link.transport === "veth") {
      diagnostics.push({
        code: "bad-value",
        message: `transport "veth" cannot reach a VM node`,
        path: [...link.path, "transport"],
      });
    }
    for (const ep of link.endpoints) {
      if (ep.ifname !== undefined) {
        const where = [...ep.path, ...(ep.path.length === link.path.length ? [] : ["ifname"])];
        checkKernelName(ep.ifname, "interface name", where, diagnostics);
        if (ep.ifname === "eth0" || ep.ifname === "lo") {
          diagnostics.push({
            code: "bad-name",
            message: `interface "${ep.ifname}" of "${ep.node}" is reserved (${ep.ifname === "lo" ? "loopback" : "management network"}); use eth1 or later`,
            path: where,
          });
        }
        const key = `${ep.node}:${ep.ifname}`;
        const first = ifnames.get(key);
        if (first) {
          diagnostics.push({
            code: "duplicate-interface",
            message: `interface ${ep.ifname} of node "${ep.node}" is used by two links`,
            path: where,
            related: first,
          });
        } else ifnames.set(key, where);
      }
      checkEndpointAddress(ep.ipv4, "ipv4", prefix.ipv4, [...ep.path, "ipv4"], diagnostics);
      checkEndpointAddress(ep.ipv6, "ipv6", prefix.ipv6, [...ep.path, "ipv6"], diagnostics);
    }
  }
}

/** Checks a name that becomes a kernel interface name. */
export function checkKernelName(
  name: string,
  what: string,
  path: SourcePath,
  diagnostics: Diagnostic[],
): void {
  if (Buffer.byteLength(name) > MAX_IFNAME) {
    diagnostics.push({
      code: "name-too-long",
      message: `${what} "${name}" is ${Buffer.byteLength(name)} characters; Linux interface names hold at most ${MAX_IFNAME}, shorten it`,
      path,
    });
  } else if (!/^[A-Za-z0-9_.-]+$/.test(name)) {
    diagnostics.push({
      code: "bad-name",
      message: `${what} "${name}" may use only letters, digits, _, . and -`,
      path,
    });
  }
}

function checkLinkPrefix(
  link: TopologyLink,
  diagnostics: Diagnostic[],
): { ipv4?: number; ipv6?: number } {
  const lengths: { ipv4?: number; ipv6?: number } = {};
  for (const family of ["ipv4", "ipv6"] as const) {
    const text = link.prefix?.[family];
    if (text === undefined) continue;
    const path = [
      ...link.path,
      "prefix",
      ...(Object.keys(link.prefix ?? {}).length > 1 ? [family] : []),
    ];
    const c = parseCidr(text);
    if (!c || c.family !== family) {
      diagnostics.push({
        code: "bad-prefix",
        message: `link prefix "${text}" is not an ${family === "ipv4" ? "IPv4" : "IPv6"} prefix (write e.g. ${family === "ipv4" ? "10.1.1.0/24" : "2001:db8:1::/64"})`,
        path,
      });
    } else if (!isNetwork(c)) {
      diagnostics.push({
        code: "bad-prefix",
        message: `link prefix "${text}" has host bits set; did you mean ${networkOf(c)}?`,
        path,
      });
    } else lengths[family] = c.length;
  }
  return lengths;
}

function checkEndpointAddress(
  req: AddressRequest | undefined,
  family: "ipv4" | "ipv6",
  prefixLength: number | undefined,
  path: SourcePath,
  diagnostics: Diagnostic[],
): void {
  if (typeof req !== "string") return;
  const c = parseCidr(
    req.includes("/") || prefixLength === undefined ? req : `${req}/${prefixLength}`,
  );
  if (!c || c.family !== family) {
    const hint = req.includes("/")
      ? ""
      : " with its prefix length (e.g. 10.1.1.1/24), or give the link a prefix";
    diagnostics.push({
      code: "bad-prefix",
      message: `${family} "${req}" is not an ${family === "ipv4" ? "IPv4" : "IPv6"} address${hint}`,
      path,
    });
  } else if (c.bits - c.length > 1 && isNetwork(c)) {
    diagnostics.push({
      code: "bad-prefix",
      message: `${family} "${req}" is the subnet's network address; pick a host address`,
      path,
    });
  }
}

/**
 * Impairments and `relay:` need a link the wire daemon carries: any link,
 * unless its transport is written as one the daemon is not (`veth`, `tap`,
 * `bridge`). Values are checked here, with their place in the file.
 */
function checkImpairments(link: TopologyLink, diagnostics: Diagnostic[]): void {
  const kernelOnly =
    link.transport === "veth" || link.transport === "tap" || link.transport === "bridge";
  const places: [ImpairmentInput, SourcePath][] = [
    ...(link.impair
      ? [[link.impair, [...link.path, "impair"]] as [ImpairmentInput, SourcePath]]
      : []),
    ...link.endpoints.flatMap((e) =>
      e.impair ? [[e.impair, [...e.path, "impair"]] as [ImpairmentInput, SourcePath]] : [],
    ),
  ];
  for (const [input, path] of places) {
    const parsed = parseImpairment(input);
    if (Array.isArray(parsed)) {
      for (const p of parsed)
        diagnostics.push({ code: "bad-value", message: p.message, path: [...path, p.key] });
    }
    if (kernelOnly) {
      diagnostics.push({
        code: "unsupported",
        message: `impairments are applied by the wire daemon, which does not carry "transport: ${link.transport}"; remove the transport (an impaired link is relayed, an impaired LAN is a hub)`,
        path,
        atKey: true,
      });
    }
  }
  if (link.relay && (link.type !== "p2p" || kernelOnly)) {
    diagnostics.push({
      code: "bad-value",
      message: `"relay: true" carries a p2p link through the wire daemon; ${link.type !== "p2p" ? "a LAN is carried by a hub or switch (transport: hub|switch)" : `remove "transport: ${link.transport}"`}`,
      path: [...link.path, "relay"],
    });
  }
}

/** Whether a link's written transport fits its endpoints (DESIGN.md, "Link transports"). */
function checkTransport(
  link: TopologyLink,
  kinds: ReadonlyMap<string, string>,
  diagnostics: Diagnostic[],
): void {
  const path = [...link.path, "transport"];
  const vms = link.endpoints.filter((e) => kinds.get(e.node) === "vm").length;
  switch (link.transport) {
    case "hub":
    case "switch":
      break;
    case "udp":
      if (link.type !== "p2p" || vms !== 2) {
        diagnostics.push({
          code: "bad-value",
          message: `transport "udp" (a QEMU UDP tunnel) joins exactly two VMs`,
          path,
        });
      }
      break;
    case "tap":
      if (link.type !== "p2p" || vms === 0) {
        diagnostics.push({
          code: "bad-value",
          message: `transport "tap" joins two nodes of which at least one is a VM`,
          path,
        });
      }
      break;
    default:
      break;
  }
}
