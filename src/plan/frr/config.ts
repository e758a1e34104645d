/**
 * A router's `frr.conf` from its plan: netlab's initial configuration for
 * FRR (hostname, forwarding, each interface's state, description,
 * addresses, MTU-free bandwidth, IPv6 router advertisements; netlab's
 * `templates/initial/frr.j2`), then its modules in netlab's order — static
 * routes, OSPFv2 and OSPFv3, IS-IS, BGP (netlab's `templates/*\/frr.j2`).
 * The commands are FRR 8.4's (FRR docs, "Zebra", "OSPFv2", "OSPFv3",
 * "IS-IS", "BGP", "Static"); the tests check every golden file with FRR's
 * own `vtysh --dryrun`.
 */
import { networkOf as ipNetworkOf, parseCidr } from "../../ip.js";
import type { NodePlan } from "../types.js";
import { bgpLines } from "./bgp.js";
import { isisLines } from "./isis.js";
import { ospfLines } from "./ospf.js";

/** netlab's FRR profile: `datacenter` (FRR docs, "Basic Commands", frr defaults). */
export const FRR_PROFILE = "datacenter";

/**
 * @returns the configuration text, each block ending with `!`
 */
export function frrConfig(node: NodePlan): string {
  const lines: string[] = [
    `frr defaults ${FRR_PROFILE}`,
    `hostname ${node.name}`,
    "service integrated-vtysh-config",
    "!",
  ];
  const router = node.role !== "host";
  const af = families(node);
  if (router) {
    if (af.ipv4) lines.push("ip forwarding");
    if (af.ipv6) lines.push("ipv6 forwarding");
  } else lines.push("no ip forwarding", "no ipv6 forwarding");
  lines.push("!");
  lines.push(...interfaceLines(node, router));
  lines.push(...staticLines(node));
  lines.push(...ospfLines(node));
  lines.push(...isisLines(node));
  lines.push(...bgpLines(node));
  return `${lines.join("\n")}\n`;
}

function families(node: NodePlan): { ipv4?: true; ipv6?: true } {
  const out: { ipv4?: true; ipv6?: true } = {};
  for (const f of ["ipv4", "ipv6"] as const)
    if (node.loopback[f] || node.interfaces.some((i) => i[f] || i.unnumbered?.[f])) out[f] = true;
  return out;
}

/** The loopback and each interface (netlab's initial configuration). */
function interfaceLines(node: NodePlan, router: boolean): string[] {
  const out: string[] = [];
  if (node.loopback.ipv4 || node.loopback.ipv6) {
    out.push("interface lo");
    if (node.loopback.ipv4) out.push(` ip address ${node.loopback.ipv4}`);
    if (node.loopback.ipv6) out.push(` ipv6 address ${node.loopback.ipv6}`);
    out.push("!");
  }
  for (const i of node.interfaces) {
    out.push(`interface ${i.ifname}`);
    out.push(i.shutdown ? " shutdown" : " no shutdown");
    if (i.description) out.push(` description ${i.description}${i.role ? ` [${i.role}]` : ""}`);
    if (i.ipv4) out.push(` ip address ${i.ipv4}`);
    if (i.ipv6 && !i.unnumbered?.ipv6) out.push(` ipv6 address ${i.ipv6}`);
    if (router && (i.ipv6 || i.unnumbered?.ipv6)) out.push(...raLines(i));
    if (i.bandwidth !== undefined) out.push(` bandwidth ${i.bandwidth}`);
    out.push("!");
  }
  return out;
}

/** IPv6 router advertisements every 5 s (netlab's), or none (`ra.disable`), and the prefix flags. */
function raLines(i: NodePlan["interfaces"][number]): string[] {
  if (i.ra?.disable) return [" ipv6 nd suppress-ra"];
  const out = [" ipv6 nd ra-interval 5", " no ipv6 nd suppress-ra"];
  const prefix = i.ipv6 && !i.unnumbered?.ipv6 ? networkOf(i.ipv6) : undefined;
  if (prefix && i.ra?.slaac === false) out.push(` ipv6 nd prefix ${prefix} no-autoconfig`);
  if (prefix && i.ra?.onlink === false) out.push(` ipv6 nd prefix ${prefix} off-link`);
  if (i.ra?.dhcp === "all") out.push(" ipv6 nd managed-config-flag");
  if (i.ra?.dhcp === "other") out.push(" ipv6 nd other-config-flag");
  return out;
}

/** Static routes of the routing module, and BGP's discard routes of originated prefixes. */
function staticLines(node: NodePlan): string[] {
  const routes = node.protocols?.static ?? [];
  if (routes.length === 0) return [];
  const out = routes.map((r) => {
    const cmd = r.family === "ipv4" ? "ip route" : "ipv6 route";
    const nh = r.nexthop.discard
      ? "Null0"
      : `${r.nexthop.via}${r.nexthop.dev ? ` ${r.nexthop.dev}` : ""}`;
    return `${cmd} ${r.prefix} ${nh}`;
  });
  return [...out, "!"];
}

/** `network/len` of an interface address. */
export function networkOf(cidr: string): string {
  const c = parseCidr(cidr);
  return c ? ipNetworkOf(c) : cidr;
}
