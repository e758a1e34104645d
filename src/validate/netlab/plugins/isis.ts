/**
 * netlab's IS-IS checks for FRR (netlab's `netsim/validate/isis/frr.py`):
 * an adjacency in state Up (with its level and area), and a prefix in a
 * level's IS-IS routes (with its metric). FRR 8.4 has `show isis
 * neighbor NAME json`, but `show isis route` only as a table: that table
 * is read into the structure netlab's check reads from FRR's JSON.
 */
import type { Value } from "../../../topology/expression/evaluate.js";
import { CheckFailed, get, list, prefixOf, text, type ValidationPlugin } from "./common.js";

/** `isis_neighbor(id, present=True, state='Up', level='', area='')`. */
export const isisNeighbor: ValidationPlugin = {
  name: "isis_neighbor",
  params: [
    { name: "id" },
    { name: "present", default: true },
    { name: "state", default: "Up" },
    { name: "level", default: "" },
    { name: "area", default: "" },
  ],
  rest: true,
  action: "show",
  command: ({ values: v }) => `isis neighbor ${text(v.id, "the neighbor")} json`,
  valid(r, { values: v }) {
    const id = text(v.id, "the neighbor");
    const areas = get(r, "areas");
    if (areas === undefined) {
      if (v.present === false) return `There is no IS-IS neighbor ${id}`;
      throw new CheckFailed(`Unknown neighbor ${id}`);
    }
    for (const a of list(areas))
      for (const c of list(get(a, "circuits"))) {
        if (get(c, "adj") !== id) continue;
        const intf = get(c, "interface");
        const state = get(intf, "state");
        if (v.present === false)
          throw new CheckFailed(`Unexpected neighbor ${id} in state ${String(state)}`);
        if (v.state && state !== v.state)
          throw new CheckFailed(`Neighbor ${id} in unexpected state ${String(state)}`);
        if (v.level) {
          const ct = get(intf, "circuit-type");
          if (ct === undefined) throw new CheckFailed(`Unknown IS-IS level for neighbor ${id}`);
          if (ct !== v.level)
            throw new CheckFailed(
              `Invalid IS-IS level for neighbor ${id}: expected ${String(v.level)} found ${String(ct)}`,
            );
        }
        if (v.area) {
          const isonet = get(get(intf, "area-address"), "isonet");
          if (isonet === undefined) throw new CheckFailed(`Unknown IS-IS area for neighbor ${id}`);
          if (isonet !== v.area)
            throw new CheckFailed(
              `Invalid IS-IS area for neighbor ${id}: expected ${String(v.area)} found ${String(isonet)}`,
            );
        }
        return `IS-IS neighbor ${id} is in state ${String(state)}`;
      }
    if (v.present === false) return `There is no IS-IS neighbor ${id}`;
    throw new CheckFailed(`No IS-IS neighbor with ID ${id}`);
  },
};

/**
 * FRR 8.4's `show isis route level-N` table (`IS-IS L1 IPv4 routing
 * table:`, then rows of prefix, metric, interface, next hop) as netlab's
 * check reads FRR's JSON: a list of areas, each `{ "level-N": { ipv4:
 * [{ prefix, metric }], ipv6: […] } }`.
 */
export function parseIsisRoutes(textOutput: string): Value {
  const areas: Record<string, Record<string, { prefix: string; metric: number }[]>>[] = [];
  let area: Record<string, Record<string, { prefix: string; metric: number }[]>> | undefined;
  let table: { prefix: string; metric: number }[] | undefined;
  for (const line of textOutput.split("\n")) {
    if (/^Area \S+:/.test(line)) {
      area = {};
      areas.push(area);
      table = undefined;
      continue;
    }
    const head = /IS-IS L(\d) (IPv4|IPv6) routing table:/.exec(line);
    if (head) {
      if (!area) {
        area = {};
        areas.push(area);
      }
      const level = `level-${head[1]}`;
      const af = head[2] === "IPv4" ? "ipv4" : "ipv6";
      area[level] ??= {};
      table = [];
      (area[level] as Record<string, { prefix: string; metric: number }[]>)[af] = table;
      continue;
    }
    const row = /^\s*([0-9a-fA-F.:]+\/\d+)\s+(\d+)\s/.exec(line);
    if (row && table) table.push({ prefix: row[1] as string, metric: Number(row[2]) });
  }
  return areas as unknown as Value;
}

/** `isis_prefix(pfx, level='2', af='ipv4', present=True, cost=None)`. */
export const isisPrefix: ValidationPlugin = {
  name: "isis_prefix",
  params: [
    { name: "pfx" },
    { name: "level", default: "2" },
    { name: "af", default: "ipv4" },
    { name: "present", default: true },
    { name: "cost", default: null },
  ],
  action: "show",
  textOutput: true,
  command: ({ values: v }) => `isis route level-${String(v.level)}`,
  valid(r, { values: v }) {
    const pfx = prefixOf(text(v.pfx, "the prefix"));
    const level = `level-${String(v.level)}`;
    const af = String(v.af);
    for (const a of list(r)) {
      for (const p of list(get(get(a, level), af))) {
        if (get(p, "prefix") !== pfx) continue;
        if (v.present === false)
          throw new CheckFailed(`${af} prefix ${pfx} should not be in ${level} IS-IS database`);
        if (v.cost !== null && v.cost !== undefined && get(p, "metric") !== v.cost)
          throw new CheckFailed(
            `Invalid cost for prefix ${pfx}: expected ${String(v.cost)} found ${String(get(p, "metric"))}`,
          );
        return `${af} prefix ${pfx} is in ${level} IS-IS database`;
      }
    }
    if (v.present === false) return `${af} prefix ${pfx} is not in ${level} IS-IS database`;
    throw new CheckFailed(`${af} prefix ${pfx} is not in ${level} IS-IS database`);
  },
};
