/**
 * What OSPF and IS-IS decide alike (netlab's `modules/_routing.py`): the
 * router ID, which interfaces run the protocol, which are passive, and the
 * network type of a link with one neighbour.
 */
import { parseCidr, stripLength, subnetAt } from "../../ip.js";
import type { Topology } from "../../topology/types.js";
import type { LabModel, ModelInterface, ModelNode } from "./model.js";
import { hasFamily } from "./model.js";

/**
 * A node's router ID for a protocol (netlab's `_routing.router_id`): the
 * protocol's own, else the IPv4 loopback's address, else the node ID's
 * address of the router ID pool.
 *
 * @returns undefined when the router ID pool has no IPv4 room
 */
export function routerId(
  topology: Topology,
  n: ModelNode,
  own: string | undefined,
): string | undefined {
  if (own) return own;
  if (n.loopback.ipv4) return stripLength(n.loopback.ipv4);
  const pool = topology.addressing.router_id;
  const c = typeof pool.ipv4 === "string" ? parseCidr(pool.ipv4) : undefined;
  const s = c && subnetAt(c, pool.prefix, n.id);
  return s ? stripLength(s) : undefined;
}

/**
 * Whether an IGP runs on an interface: it has an address (or is
 * unnumbered), its link is not `external`, and neither the link nor the
 * interface switches the protocol off (`ospf: false`).
 */
export function igpRunsOn(i: ModelInterface, proto: "ospf" | "isis"): boolean {
  if (i.fact.role === "external") return false;
  if (i.link[proto] === false || i.endpoint[proto] === false) return false;
  return hasFamily(i, "ipv4") || hasFamily(i, "ipv6");
}

/**
 * netlab's passive rule (`_routing.passive`): as written; else a
 * `passive` or `external` link, or a stub network, is passive; a `stub`
 * link (one router) is passive unless a neighbour runs the protocol too.
 */
export function igpPassive(
  model: LabModel,
  i: ModelInterface,
  proto: "ospf" | "isis",
  written: boolean | undefined,
): boolean {
  if (written !== undefined) return written;
  const role = i.fact.role;
  if (role === "passive" || role === "external" || i.fact.type === "stub") return true;
  if (role !== "stub") return false;
  return !i.neighbors.some((nb) => model.byName.get(nb.node)?.node.modules.includes(proto));
}
