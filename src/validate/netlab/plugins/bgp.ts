/**
 * netlab's BGP checks for FRR (netlab's `netsim/validate/bgp/frr.py`):
 * neighbours in state Established (per address family), a neighbour's
 * details, and prefixes in the BGP table with their peer, next hop, best
 * path, cluster list, communities, AS path, local preference and MED. The
 * JSON is FRR's (`show bgp summary json`, `show bgp ipv4 PREFIX json`).
 */
import { show, type Value } from "../../../topology/expression/evaluate.js";
import {
  addressOf,
  CheckFailed,
  CheckPassed,
  get,
  list,
  runPrefixChecks,
  str,
  text,
  type ValidationPlugin,
} from "./common.js";

const AF_STRUCT: Readonly<Record<string, string>> = {
  ipv4: "ipv4Unicast",
  ipv6: "ipv6Unicast",
  evpn: "evpn",
  vpnv4: "vpnv4",
  vpnv6: "vpnv6",
};
const AF_SUMMARY: Readonly<Record<string, string>> = {
  ipv4: "ipv4 summary established",
  ipv6: "ipv6 summary established",
  evpn: "evpn summary",
  vpnv4: "ipv4 vpn summary",
  vpnv6: "ipv6 vpn summary",
};

const NAMES: Readonly<Record<string, string>> = {
  peer: "BGP router ID",
  nh: "BGP next hop",
  clusterid: "RR cluster ID",
  community: "BGP community",
  as_elements: "AS numbers",
  aspath: "AS path",
  locpref: "BGP local preference",
  med: "BGP MED",
  best: "best path",
};

const COMMUNITY_KINDS = ["community", "largeCommunity", "extendedCommunity"];

/** netlab's `get_bgp_neighbor_id`: the address (or `true`, unnumbered) of neighbour `id` in a family. */
function neighborAddress(ngb: Value | undefined, id: string, af: string): string | true {
  for (const n of list(ngb)) {
    if (get(n, "name") !== id) continue;
    const a = get(n, af);
    if (a === undefined) continue;
    if (a === true) return true;
    return text(a, `the ${af} address of ${id}`);
  }
  throw new CheckFailed(`Cannot find the ${af} address of the neighbor ${id}`);
}

/** `bgp_neighbor(ngb, n_id, af='ipv4', state='Established', activate='', intf='')`. */
export const bgpNeighbor: ValidationPlugin = {
  name: "bgp_neighbor",
  params: [
    { name: "ngb" },
    { name: "n_id" },
    { name: "af", default: "ipv4" },
    { name: "state", default: "Established" },
    { name: "activate", default: "" },
    { name: "intf", default: "" },
  ],
  action: "show",
  command({ values: v }) {
    const act = String(v.activate ?? "");
    if (!act) return "bgp summary json";
    const kw = AF_SUMMARY[act];
    if (!kw) throw new CheckFailed(`Unsupported address family ${act}`);
    return `bgp ${kw} json`;
  },
  valid(r, { values: v }) {
    const id = text(v.n_id, "the neighbor name");
    const af = String(v.af);
    let addr = neighborAddress(v.ngb, id, af);
    if (addr === true) {
      if (!v.intf) throw new CheckFailed("Need an interface name for an unnumbered EBGP neighbor");
      addr = String(v.intf);
    }
    const act = String(v.activate ?? "");
    const actErr = act ? ` in address family ${act}` : "";
    const family = act || af;
    let data = get(r, "peers");
    if (data === undefined) {
      const s = get(r, AF_STRUCT[family] ?? family);
      if (s === undefined)
        throw new CheckFailed(`There are no BGP peers in address family ${family}`);
      data = get(s, "peers");
    }
    const peer = get(data, addr);
    const state = String(v.state);
    if (peer === undefined) {
      const msg = `The router has no BGP neighbor with ${af} address ${addr} (${id})${actErr}`;
      if (state === "missing") return msg;
      throw new CheckFailed(msg);
    }
    const is = String(get(peer, "state") ?? "");
    if (!state.includes(is))
      throw new CheckFailed(
        `The neighbor ${addr} (${id}) ${actErr} is in state ${is} (expected ${state})`,
      );
    return `Neighbor ${addr} (${id}) is in state ${is}`;
  },
};

/** `bgp_neighbor_details(ngb, n_id, af='ipv4', **kwargs)`: each keyword's value in the neighbour's details. */
export const bgpNeighborDetails: ValidationPlugin = {
  name: "bgp_neighbor_details",
  params: [{ name: "ngb" }, { name: "n_id" }, { name: "af", default: "ipv4" }],
  rest: true,
  action: "show",
  command: ({ values: v }) =>
    `bgp neighbor ${String(neighborAddress(v.ngb, text(v.n_id, "the neighbor name"), String(v.af)))} json`,
  valid(r, { values: v, rest }) {
    const addr = neighborAddress(v.ngb, text(v.n_id, "the neighbor name"), String(v.af));
    const data = get(r, String(addr));
    for (const [k, want] of Object.entries(rest)) {
      const is = get(data, k);
      if (is === undefined)
        throw new CheckFailed(`Neighbor data structure does not contain attribute ${k}`);
      if (JSON.stringify(is) !== JSON.stringify(want))
        throw new CheckFailed(`${k} expected value ${str(want)} actual ${str(is)}`);
    }
    return "All specified BGP neighbor parameters have the expected values";
  },
};

/** `bgp_prefix(pfx, af='ipv4', state='present', peer=…, nh=…, best=…, clusterid=…, community=…, as_elements=…, aspath=…, locpref=…, med=…)`. */
export const bgpPrefix: ValidationPlugin = {
  name: "bgp_prefix",
  params: [{ name: "pfx" }, { name: "af", default: "ipv4" }, { name: "state", default: "present" }],
  rest: true,
  action: "show",
  command: ({ values: v }) => `bgp ${String(v.af)} ${text(v.pfx, "the prefix")} json`,
  valid(r, { values: v, rest }) {
    try {
      return runPrefixChecks(
        v.pfx as Value,
        String(v.state),
        r,
        rest,
        "BGP table",
        (_pfx, data) => (get(data, "prefix") === undefined ? undefined : get(data, "paths")),
        {
          peer: (paths, value) => paths.filter((p) => get(get(p, "peer"), "routerId") === value),
          nh: (paths, value, pfx, state) => {
            const want = addressOf(text(value, "the next hop"));
            const found: string[] = [];
            const out = paths.filter((p) =>
              list(get(p, "nexthops")).some((h) => {
                found.push(String(get(h, "ip")));
                return get(h, "ip") === want;
              }),
            );
            if (out.length === 0 && state !== "missing")
              throw new CheckFailed(
                `The next hop(s) for prefix ${pfx} is/are ${found.join(",")}, not ${want}`,
              );
            return out;
          },
          best: (paths, value) =>
            paths.filter((p) => (get(get(p, "bestpath"), "overall") ?? null) === value),
          clusterid: (paths, value, pfx, state) => {
            const out = paths.filter((p) =>
              list(get(get(p, "clusterList"), "list")).includes(value),
            );
            if (out.length === 0 && state !== "missing")
              throw new CheckFailed(
                `Cannot find cluster ID ${str(value)} in the paths of prefix ${pfx}`,
              );
            return out;
          },
          community: (paths, value, pfx, state) => {
            if (!value || typeof value !== "object" || Array.isArray(value))
              throw new CheckFailed("Community check expects a dictionary of communities");
            const ok = new Set<string>();
            for (const p of paths)
              for (const [kind, want] of Object.entries(value as Record<string, Value>)) {
                const s = get(get(p, kind), "string");
                if (typeof s === "string" && typeof want === "string" && s.includes(want))
                  ok.add(kind);
              }
            for (const [kind, want] of Object.entries(value as Record<string, Value>)) {
              if (!COMMUNITY_KINDS.includes(kind))
                throw new CheckFailed(
                  `Invalid BGP community keyword ${kind} (allowed: ${COMMUNITY_KINDS.join(",")})`,
                );
              if (state === "present" && !ok.has(kind))
                throw new CheckFailed(`${kind} community ${str(want)} is not attached to ${pfx}`);
              if (state === "missing" && ok.has(kind))
                throw new CheckFailed(`${kind} ${str(want)} should not be attached to ${pfx}`);
            }
            throw new CheckPassed(`The prefix ${pfx} contains the expected communities`);
          },
          as_elements: (paths, value, pfx, state) => {
            const wanted = Array.isArray(value) ? value : [value];
            const found: string[] = [];
            const out = paths.filter((p) => {
              const have = list(get(get(p, "aspath"), "segments")).flatMap((s) =>
                list(get(s, "list")),
              );
              const ok = wanted.every((w) => have.includes(w));
              if (!ok) found.push(String(get(get(p, "aspath"), "string")));
              return ok;
            });
            if (out.length === 0 && state !== "missing")
              throw new CheckFailed(
                `No path to prefix ${pfx} has ${show(value)} in AS-path (found ${found.join(",")})`,
              );
            return out;
          },
          aspath: (paths, value, pfx, state) => {
            const found: string[] = [];
            const out = paths.filter((p) => {
              const s = get(get(p, "aspath"), "string");
              if (s !== value) found.push(String(s));
              return s === value;
            });
            if (out.length === 0 && state !== "missing")
              throw new CheckFailed(
                `No path to prefix ${pfx} has AS-path ${str(value)} (found ${found.join(",")})`,
              );
            return out;
          },
          locpref: (paths, value) => paths.filter((p) => (get(p, "locPrf") ?? null) === value),
          med: (paths, value) => paths.filter((p) => (get(p, "metric") ?? null) === value),
        },
        NAMES,
      );
    } catch (e) {
      if (e instanceof CheckPassed) return e.message;
      throw e;
    }
  },
};
