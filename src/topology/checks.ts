/**
 * Second-pass checks on a normalized topology: names that the kernel would
 * refuse, interfaces used twice, bad prefixes, addresses and impairment
 * values. Address clashes and transports are the planner's: it sees
 * allocated addresses and the nodes' kinds.
 */

import type { Diagnostic } from "../errors.js";
import { type ImpairmentInput, parseImpairment } from "../impairment.js";
import { isNetwork, networkOf, parseCidr } from "../ip.js";
import type { AddressRequest, SourcePath, TopologyLink } from "./types.js";

/** Linux IFNAMSIZ is 16 bytes including the terminating NUL. */
export const MAX_IFNAME = 15;

/**
 * @param links - normalized links
 * @param diagnostics - problems are appended here
 */
export function checkTopology(links: readonly TopologyLink[], diagnostics: Diagnostic[]): void {
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
    checkImpairments(link, diagnostics);
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
    const text = link.prefix ? link.prefix[family] : undefined;
    if (text === undefined || typeof text === "boolean") continue;
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
 * Impairment values, checked where they are written (whether the link's
 * transport can carry impairments is the planner's question).
 */
function checkImpairments(link: TopologyLink, diagnostics: Diagnostic[]): void {
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
  }
}
