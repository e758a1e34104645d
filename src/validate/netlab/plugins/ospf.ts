/**
 * netlab's OSPF checks for FRR (netlab's `netsim/validate/ospf/frr.py`):
 * neighbours in state Full (OSPFv2, OSPFv3), prefixes in the OSPF
 * topology with their cost and route type, and IPv6 routes with their
 * metric. The JSON is FRR's (`show ip ospf neighbor ID json`, `show ip
 * ospf route json`, `show ipv6 ospf6 neighbor ID json`, `show ipv6 ospf6
 * route detail json`, `show ipv6 route json`; the same fields in FRR 8.4).
 */
import { parseAddress } from "../../../ip.js";
import type { Value } from "../../../topology/expression/evaluate.js";
import { CheckFailed, get, list, runPrefixChecks, text, type ValidationPlugin } from "./common.js";

const NAMES = { cost: "cost", rt: "route type" };

function routerId(v: Value | undefined): string {
  const id = text(v, "the OSPF router ID");
  if (parseAddress(id)?.family !== "ipv4")
    throw new CheckFailed(`OSPF router ID ${id} is not a valid IPv4 address`);
  return id;
}

/** `ospf_neighbor(id, present=True, vrf='default')`: an OSPFv2 neighbour in state Full. */
export const ospfNeighbor: ValidationPlugin = {
  name: "ospf_neighbor",
  params: [{ name: "id" }, { name: "present", default: true }, { name: "vrf", default: "default" }],
  action: "show",
  command: ({ values: v }) =>
    `ip ospf ${v.vrf !== "default" ? `vrf ${text(v.vrf, "the VRF")} ` : ""}neighbor ${routerId(v.id)} json`,
  valid(r, { values: v }) {
    const id = routerId(v.id);
    const data = get(r, String(v.vrf)) ?? r;
    const entry = list(get(data, id))[0];
    if (entry === undefined) {
      if (v.present === false) return `There is no OSPFv2 neighbor ${id}`;
      throw new CheckFailed(`There is no OSPFv2 neighbor ${id}`);
    }
    const state = String(get(entry, "nbrState") ?? get(entry, "state") ?? "");
    if (v.present === false)
      throw new CheckFailed(`Unexpected OSPFv2 neighbor ${id} in state ${state}`);
    const msg = `OSPFv2 neighbor ${id} is in state ${state}`;
    if (!state.startsWith("Full")) throw new CheckFailed(msg);
    return msg;
  },
};

/** `ospf6_neighbor(id, present=True)`: an OSPFv3 neighbour in state Full. */
export const ospf6Neighbor: ValidationPlugin = {
  name: "ospf6_neighbor",
  params: [{ name: "id" }, { name: "present", default: true }],
  action: "show",
  command: ({ values: v }) => `ipv6 ospf6 neighbor ${routerId(v.id)} json`,
  valid(r, { values: v }) {
    const id = routerId(v.id);
    const key =
      r && typeof r === "object" && !Array.isArray(r)
        ? Object.keys(r).find((k) => k.split("%")[0] === id)
        : undefined;
    if (key === undefined) {
      if (v.present === false) return `There is no OSPFv3 neighbor ${id}`;
      throw new CheckFailed(`There is no OSPFv3 neighbor ${id}`);
    }
    const state = String(get(get(r, key), "neighborState") ?? "");
    if (v.present === false)
      throw new CheckFailed(`Unexpected OSPFv3 neighbor ${id} in state ${state}`);
    if (state !== "Full") throw new CheckFailed(`OSPFv3 neighbor ${id} is in state ${state}`);
    return `OSPFv3 neighbor ${id} is in state ${state}`;
  },
};

/** `ospf_prefix(pfx, state='present', cost=…, rt=…)`: a prefix in the OSPFv2 topology. */
export const ospfPrefix: ValidationPlugin = {
  name: "ospf_prefix",
  params: [{ name: "pfx" }, { name: "state", default: "present" }],
  rest: true,
  action: "show",
  command: () => "ip ospf route json",
  valid: (r, { values: v, rest }) =>
    runPrefixChecks(
      v.pfx as Value,
      String(v.state),
      r,
      rest,
      "OSPF topology",
      (pfx, data) => get(data, pfx),
      {
        cost: (paths, value) =>
          paths.filter(
            (p) =>
              get(p, String(get(p, "routeType") ?? "").includes("E2") ? "type2cost" : "cost") ===
              value,
          ),
        rt: (paths, value) => paths.filter((p) => get(p, "routeType") === value),
      },
      NAMES,
    ),
};

/** `ospf6_prefix(pfx, state='present', cost=…, rt=…)`: a prefix in the OSPFv3 topology. */
export const ospf6Prefix: ValidationPlugin = {
  name: "ospf6_prefix",
  params: [{ name: "pfx" }, { name: "state", default: "present" }],
  rest: true,
  action: "show",
  command: () => "ipv6 ospf6 route detail json",
  valid: (r, { values: v, rest }) =>
    runPrefixChecks(
      v.pfx as Value,
      String(v.state),
      r,
      rest,
      "OSPFv3 topology",
      (pfx, data) => get(get(data, "routes"), pfx),
      {
        cost: (paths, value) =>
          paths.filter(
            (p) =>
              get(p, get(p, "pathType") === "External-2" ? "metricCostE2" : "metricCost") === value,
          ),
        rt: (paths, value) => paths.filter((p) => get(p, "pathType") === value),
      },
      NAMES,
    ),
};

/** `ipv6_route(pfx, proto='', cost=0)`: an IPv6 route (of a protocol) with its metric. */
export const ipv6Route: ValidationPlugin = {
  name: "ipv6_route",
  params: [{ name: "pfx" }, { name: "proto", default: "" }, { name: "cost", default: null }],
  action: "show",
  command: ({ values: v }) => `ipv6 route ${String(v.proto ?? "")} json`.replace("  ", " "),
  valid(r, { values: v }) {
    const pfx = text(v.pfx, "the prefix");
    const proto = String(v.proto ?? "");
    if (!r || (typeof r === "object" && Object.keys(r).length === 0))
      throw new CheckFailed(`The routing table has no ${proto} routes`);
    const entry = list(get(r, pfx))[0];
    if (entry === undefined)
      throw new CheckFailed(
        `The prefix ${pfx} is not in the routing table or not a ${proto} route`,
      );
    if (v.cost !== null && v.cost !== undefined && get(entry, "metric") !== v.cost)
      throw new CheckFailed(
        `Invalid OSPF end-to-end cost for prefix ${pfx}: expected ${String(v.cost)} actual ${String(get(entry, "metric"))}`,
      );
    return `Prefix ${pfx} is in the IPv6 routing table`;
  },
};
