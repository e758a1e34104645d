/**
 * A node's IS-IS (netlab docs, "IS-IS Configuration Module"; netlab's
 * `modules/isis.py`): the NET (written, or area + system ID
 * `0000.0000.<id>` + 00), level, families, and per interface the circuit
 * type, metric, network type (point-to-point with one neighbour) and
 * passive flag.
 */
import type { Diagnostic } from "../../errors.js";
import type { Topology } from "../../topology/types.js";
import { igpPassive, igpRunsOn } from "./igp.js";
import type { LabModel, ModelNode } from "./model.js";
import { hasFamily } from "./model.js";
import { checkImport, protocolFamilies } from "./ospf.js";
import type { IsisInterfacePlan, IsisPlan } from "./types.js";

/** A node's IS-IS and its interfaces' (by interface name). */
export interface IsisResult {
  readonly isis: IsisPlan;
  readonly interfaces: ReadonlyMap<string, IsisInterfacePlan>;
}

/**
 * @returns undefined when the node does not run IS-IS, or on no interface
 */
export function planIsis(
  _topology: Topology,
  model: LabModel,
  n: ModelNode,
  diagnostics: Diagnostic[],
): IsisResult | undefined {
  const node = n.node;
  if (!node.modules.includes("isis")) return undefined;
  const s = node.isis ?? {};
  let area = s.area ?? "49.0001";
  // netlab's system ID of a node: 0000.0000.NNNN, its ID in decimal digits.
  let systemId = `0000.0000.${String(n.id).padStart(4, "0")}`;
  let net: string;
  if (s.net) {
    const m = /^([0-9a-fA-F.]+?)\.((?:[0-9a-fA-F]{4}\.){3})00$/.exec(s.net);
    area = m?.[1] ?? area;
    systemId = (m?.[2] ?? `${systemId}.`).replace(/\.$/, "");
    net = s.net;
  } else net = `${area}.${systemId}.00`;
  const interfaces = new Map<string, IsisInterfacePlan>();
  for (const i of n.interfaces) {
    if (!igpRunsOn(i, "isis")) continue;
    const link = i.link.isis || {};
    const own = i.endpoint.isis || {};
    const merged = { ...link, ...own };
    const written = merged.network_type;
    const network_type =
      written === false
        ? undefined
        : written === "point-to-point" || i.neighbors.length === 1
          ? "point-to-point"
          : undefined;
    const metric = merged.metric ?? merged.cost;
    interfaces.set(i.ifname, {
      passive: igpPassive(model, i, "isis", merged.passive),
      ...(network_type ? { network_type } : {}),
      ...(merged.type ? { type: merged.type } : {}),
      ...(metric !== undefined ? { metric } : {}),
    });
  }
  if (interfaces.size === 0) return undefined;
  const af = protocolFamilies(s.af, n, (af) =>
    [...interfaces.keys()].some((name) =>
      hasFamily(n.interfaces.find((x) => x.ifname === name) ?? {}, af),
    ),
  );
  const imported = checkImport(node, "isis", s.import, diagnostics);
  return {
    isis: {
      instance: s.instance ?? "Gandalf",
      area,
      system_id: systemId,
      net,
      type: s.type ?? "level-2",
      af,
      ...(imported.length ? { import: imported } : {}),
    },
    interfaces,
  };
}
