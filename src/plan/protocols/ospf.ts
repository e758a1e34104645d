/**
 * A node's OSPF (netlab docs, "OSPF Configuration Module"; netlab's
 * `modules/ospf.py`): OSPFv2 on its IPv4 interfaces, OSPFv3 on its IPv6
 * ones, each interface's area, cost, network type, timers, priority,
 * password and passive flag from the interface, else its link, else the
 * node (area, passive, password, priority and timers are the node's
 * defaults for its interfaces).
 */
import type { Diagnostic } from "../../errors.js";
import type { OspfInterfaceInput } from "../../topology/modules/ospf.js";
import type { Topology } from "../../topology/types.js";
import { igpPassive, igpRunsOn, routerId } from "./igp.js";
import { hasFamily, type LabModel, type ModelNode, nodeFamilies } from "./model.js";
import type { AfPlan, OspfInterfacePlan, OspfPlan } from "./types.js";

/** A node's OSPF and its interfaces' (by interface name). */
export interface OspfResult {
  readonly ospf: OspfPlan;
  readonly interfaces: ReadonlyMap<string, OspfInterfacePlan>;
}

/**
 * @param diagnostics - problems (an unnumbered LAN, an import of a protocol the node does not run) are appended here
 * @returns undefined when the node does not run OSPF, or runs it on no interface
 */
export function planOspf(
  topology: Topology,
  model: LabModel,
  n: ModelNode,
  diagnostics: Diagnostic[],
): OspfResult | undefined {
  const node = n.node;
  if (!node.modules.includes("ospf")) return undefined;
  const o = node.ospf ?? {};
  const rid = routerId(topology, n, o.router_id);
  if (!rid) {
    diagnostics.push({
      code: "pool-exhausted",
      message: `no OSPF router ID for "${node.name}": it has no IPv4 loopback and the router_id pool has no IPv4 room; give it ospf.router_id`,
      path: node.path,
    });
    return undefined;
  }
  const interfaces = new Map<string, OspfInterfacePlan>();
  for (const i of n.interfaces) {
    if (!igpRunsOn(i, "ospf")) continue;
    const link = i.link.ospf || {};
    const own = i.endpoint.ospf || {};
    const merged: OspfInterfaceInput = { ...link, ...own };
    if (link.timers || own.timers) merged.timers = { ...link.timers, ...own.timers };
    const area = merged.area ?? o.area ?? "0.0.0.0";
    const passive = igpPassive(model, i, "ospf", merged.passive ?? o.passive);
    const network_type =
      merged.network_type ?? (i.neighbors.length === 1 ? "point-to-point" : undefined);
    const timers = adjustTimers(
      merged.timers ?? o.timers,
      node.name,
      i.ifname,
      [...i.endpoint.path],
      diagnostics,
    );
    const priority = (own.priority ?? o.priority) as number | undefined;
    const password = merged.password ?? o.password;
    if (i.unnumbered?.ipv4 && i.neighbors.length !== 1) {
      diagnostics.push({
        code: "bad-value",
        message:
          i.neighbors.length === 0
            ? `OSPF on the unnumbered stub interface ${i.ifname} of "${node.name}" makes no sense; give the link a prefix`
            : `OSPF does not run over unnumbered IPv4 LANs (${i.ifname} of "${node.name}" has ${i.neighbors.length} neighbours); give the link a prefix`,
        path: i.link.path,
      });
      continue;
    }
    interfaces.set(i.ifname, {
      area,
      passive,
      ...(network_type ? { network_type } : {}),
      ...(merged.cost !== undefined ? { cost: merged.cost } : {}),
      ...(timers ? { timers } : {}),
      ...(priority !== undefined ? { priority } : {}),
      ...(password !== undefined ? { password } : {}),
    });
  }
  // netlab removes OSPF from a node that runs it on no interface.
  if (interfaces.size === 0) return undefined;
  const af = protocolFamilies(o.af, n, (af) =>
    [...interfaces.keys()].some((name) =>
      hasFamily(n.interfaces.find((x) => x.ifname === name) ?? {}, af),
    ),
  );
  const imported = checkImport(node, "ospf", o.import, diagnostics);
  const written =
    o.default === true
      ? {}
      : o.default === false || o.default === undefined
        ? undefined
        : o.default;
  const def = written && {
    ...(written.always !== undefined ? { always: written.always } : {}),
    ...(written.cost !== undefined ? { cost: written.cost } : {}),
    ...(written.type !== undefined ? { type: written.type } : {}),
  };
  return {
    ospf: {
      router_id: rid,
      area: o.area ?? "0.0.0.0",
      af,
      process: o.process ?? 1,
      ...(o.reference_bandwidth !== undefined
        ? { reference_bandwidth: o.reference_bandwidth }
        : {}),
      ...(def ? { default: def } : {}),
      ...(imported.length ? { import: imported } : {}),
      ...(n.loopback.ipv4 || n.loopback.ipv6 ? { loopback: { area: o.area ?? "0.0.0.0" } } : {}),
    },
    interfaces,
  };
}

/**
 * A protocol's families (netlab's `routing_af`): as written (`true`: the
 * node's; `false`: none), else those of the loopback and of the interfaces
 * that run it.
 */
export function protocolFamilies(
  written: { ipv4?: boolean; ipv6?: boolean } | boolean | undefined,
  n: ModelNode,
  runsOn: (af: "ipv4" | "ipv6") => boolean,
): AfPlan {
  if (written === false) return {};
  const node = nodeFamilies(n);
  if (written === true) return node;
  const out: { ipv4?: true; ipv6?: true } = {};
  for (const af of ["ipv4", "ipv6"] as const) {
    const on =
      written !== undefined ? written[af] === true : n.loopback[af] !== undefined || runsOn(af);
    if (on) out[af] = true;
  }
  return out;
}

/** Hello and dead timers: one written gives the other (dead = 4 × hello), and hello must be below dead. */
function adjustTimers(
  t: { hello?: number | undefined; dead?: number | undefined } | undefined,
  node: string,
  ifname: string,
  path: (string | number)[],
  diagnostics: Diagnostic[],
): { hello?: number; dead?: number } | undefined {
  if (!t || (t.hello === undefined && t.dead === undefined)) return undefined;
  const hello = t.hello ?? Math.max(roundHalfEven((t.dead as number) / 4), 1);
  const dead = t.dead ?? hello * 4;
  if (hello >= dead)
    diagnostics.push({
      code: "bad-value",
      message: `OSPF hello interval ${hello} s of ${node} ${ifname} is not below its dead interval ${dead} s`,
      path,
    });
  return { hello, dead };
}

/**
 * A protocol's route imports (netlab's `check_import_request`): each
 * source must run on the node (connected and static always do), and not
 * be the protocol itself.
 */
export function checkImport(
  node: Topology["nodes"][number],
  proto: "ospf" | "isis" | "bgp",
  sources: readonly string[] | undefined,
  diagnostics: Diagnostic[],
): string[] {
  const out: string[] = [];
  for (const s of sources ?? []) {
    if (s === proto) {
      diagnostics.push({
        code: "bad-value",
        message: `"${node.name}" cannot import ${s} routes into ${proto} itself`,
        path: [...node.path, proto, "import"],
      });
      continue;
    }
    if (s !== "connected" && s !== "static" && !node.modules.includes(s as "ospf")) {
      diagnostics.push({
        code: "bad-value",
        message: `"${node.name}" imports ${s} routes into ${proto} but does not run ${s}; add ${s} to its modules or remove the import`,
        path: [...node.path, proto, "import"],
      });
      continue;
    }
    out.push(s);
  }
  return out;
}

/** Python's `round()`: halves to the even neighbour (netlab computes the hello with it). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
