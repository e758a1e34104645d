/**
 * netlab's topology mechanics, in netlab's order (netlab's
 * `augment/main.py`), for netlab's files and wirelab's alike (one
 * vocabulary): dotted keys expanded, defaults files merged, the device from
 * outside the file, groups applied, netlab's node and link attributes
 * mapped, modules and their attributes settled. What comes out has
 * wirelab's shape, for the schema; every value keeps its place in the file
 * (or the defaults file) it was written in.
 */
import { expandDotted } from "../dotted.js";
import { isPlainObject, mergeDeep, OriginIndex } from "../origins.js";
import type { TopologySource } from "../source.js";
import { type LoadOptions, type MechanicsContext, report, type TopologyFormat } from "./context.js";
import { mergeDefaultsFiles } from "./defaults.js";
import { applyGroups } from "./groups.js";
import { mapLinks } from "./links.js";
import { applyModules } from "./modules.js";
import { badDevice, isRouterNode, mapNodes } from "./nodes.js";

/** What the mechanics made of a file. */
export interface Rewritten {
  /** The topology in wirelab's shape. */
  readonly data: unknown;
  readonly origins: OriginIndex;
  readonly notes: string[];
}

/** Top-level keys of netlab's that wirelab does not implement, with what to do. */
const NOT_IMPLEMENTED: Readonly<Record<string, string>> = {
  vrfs: "VRFs need netlab's vrf module, which wirelab does not run",
  vlans: "VLANs need netlab's vlan module, which wirelab does not run",
  components: "netlab's components are not implemented by wirelab; write the nodes out",
  tools: "netlab's external tools are not run by wirelab",
};

/** `defaults` keys wirelab's schema takes (the others are consumed here, or noted). */
const DEFAULTS_KEPT = new Set(["kind", "device", "forwarding", "loopback", "const", "interfaces"]);

/**
 * Applies the mechanics to a parsed file.
 *
 * @param problems - problems are appended here, already located
 */
export function rewriteTopology(
  source: TopologySource,
  format: TopologyFormat,
  baseDir: string,
  options: LoadOptions,
  problems: import("../../errors.js").Diagnostic[],
): Rewritten {
  const origins = new OriginIndex();
  const notes: string[] = [];
  const raw = source.data ?? {};
  origins.recordTree(raw, source, []);
  const expanded = expandDotted(raw, origins);
  if (!isPlainObject(expanded)) return { data: expanded, origins, notes };
  const data = expanded;
  const ctx: MechanicsContext = { source, origins, format, baseDir, options, problems, notes };
  nodesAsMap(data, origins);
  mergeDefaultsFiles(data, ctx);
  const defaults = isPlainObject(data.defaults) ? data.defaults : {};
  const deviceDefault =
    typeof defaults.device === "string"
      ? defaults.device
      : format === "wirelab"
        ? "linux"
        : undefined;
  if (isPlainObject(data.nodes)) {
    const global = Array.isArray(data.module) ? data.module : [];
    const nodeModules = (n: Record<string, unknown>) =>
      (Array.isArray(n.module) ? n.module : isRouterNode(n) ? global : []) as string[];
    applyGroups(data, ctx, deviceDefault, nodeModules);
    mapNodes(data, ctx);
    applyNodeMtu(data, defaults, origins);
    applyModules(data, ctx, isRouterNode);
  }
  mapLinks(data, ctx);
  for (const [key, why] of Object.entries(NOT_IMPLEMENTED))
    if (key in data) {
      report(ctx, data, [key], "unsupported", `"${key}": ${why}`, true);
      delete data[key];
    }
  if (data.plugin !== undefined) {
    const list = Array.isArray(data.plugin) ? data.plugin : [data.plugin];
    list.forEach((p, i) => {
      report(
        ctx,
        data,
        Array.isArray(data.plugin) ? ["plugin", i] : ["plugin"],
        "unsupported",
        `netlab plugin "${String(p)}" is not run by wirelab (its plugins are Python code for netlab's transformation); remove it and what it needs`,
      );
    });
    delete data.plugin;
  }
  pruneDefaults(data, ctx);
  return { data, origins, notes };
}

/** `nodes: [a, b]` (netlab's list of names) as a map; `null` nodes as empty maps. */
function nodesAsMap(data: Record<string, unknown>, origins: OriginIndex): void {
  const nodes = data.nodes;
  if (Array.isArray(nodes)) {
    if (!nodes.every((n) => typeof n === "string")) return; // the schema says so
    const map: Record<string, unknown> = {};
    nodes.forEach((n, i) => {
      map[n as string] = {};
      const o = origins.get(nodes, i);
      if (o) origins.set(map, n as string, o);
    });
    data.nodes = map;
    return;
  }
  if (!isPlainObject(nodes)) return;
  for (const [k, v] of Object.entries(nodes)) if (v === null) nodes[k] = {};
}

/** netlab's `defaults.interfaces.mtu`: the MTU of every node that names none. */
function applyNodeMtu(
  data: Record<string, unknown>,
  defaults: Record<string, unknown>,
  origins: OriginIndex,
): void {
  const interfaces = defaults.interfaces;
  if (!isPlainObject(interfaces) || interfaces.mtu === undefined) return;
  const nodes = data.nodes as Record<string, unknown>;
  const origin = origins.get(interfaces, "mtu");
  for (const [name, node] of Object.entries(nodes))
    if (isPlainObject(node) && node.mtu === undefined)
      nodes[name] = origins.copy(node, { mtu: interfaces.mtu }, origin);
}

/** Leaves `defaults` with what wirelab's schema takes; `defaults.addressing` goes under `addressing`. */
function pruneDefaults(data: Record<string, unknown>, ctx: MechanicsContext): void {
  const defaults = data.defaults;
  if (!isPlainObject(defaults)) return;
  const drop: Record<string, string | undefined> = {};
  for (const key of Object.keys(defaults)) {
    if (
      key === "device" &&
      typeof defaults.device === "string" &&
      !["frr", "linux", "none"].includes(defaults.device)
    ) {
      report(ctx, data, ["defaults", "device"], "unsupported", badDevice(defaults.device));
      drop.device = undefined;
      continue;
    }
    if (key === "device" && defaults.device === "none") {
      drop.device = "linux"; // netlab's device none: a host
      continue;
    }
    if (DEFAULTS_KEPT.has(key)) continue;
    drop[key] = undefined;
    if (key === "addressing") {
      data.addressing = mergeDeep(defaults.addressing, data.addressing, ctx.origins);
    } else if (
      key === "interfaces" ||
      key === "sources" ||
      key === "groups" ||
      key === "provider" ||
      key === "warnings"
    ) {
      // consumed above, or netlab's own warnings
    } else if (key === "devices") {
      const devices = defaults.devices;
      if (isPlainObject(devices))
        for (const d of ["frr", "linux", "none"])
          if (d in devices)
            ctx.notes.push(
              `defaults.devices.${d} is not used: wirelab's devices have their own settings`,
            );
    } else if (!["ospf", "bgp", "isis", "routing"].includes(key)) {
      ctx.notes.push(`defaults.${key} (a netlab setting) is not used`);
    }
  }
  data.defaults = ctx.origins.copy(defaults, drop);
}

export type { LoadOptions, TopologyFormat } from "./context.js";
