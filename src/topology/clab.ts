/**
 * containerlab topology files read directly (containerlab docs, "Topology
 * definition"): detected by their shape (`topology.nodes`), turned into a
 * wirelab topology before the usual checks. Each wirelab path keeps a way
 * back to the containerlab path it came from, so every problem is still
 * reported at its line and column in the containerlab file.
 *
 * Mapped: `name`; `topology.nodes` of `kind: linux` (network namespaces; an
 * `image` is accepted, not used) and `kind: bridge` (a LAN of everything
 * linked to it); `topology.links` with `endpoints: ["a:eth1", "b:eth1"]` or
 * the extended `type: veth` form (with `ipv4`/`ipv6` per endpoint). The
 * top-level `mgmt` and `prefix` are accepted and not used (wirelab has its
 * own management network and names). Anything else is an error at its
 * place: wirelab never drops part of a topology.
 */
import type { Diagnostic } from "../errors.js";
import type { SourcePath } from "./types.js";

/** Whether parsed YAML looks like a containerlab topology. */
export function isClabTopology(data: unknown): boolean {
  const t = (data as { topology?: unknown } | null)?.topology;
  return typeof t === "object" && t !== null && "nodes" in t;
}

/** Node attributes a linux node may carry: `kind`, and an `image` that is not used. */
const LINUX_KEYS = new Set(["kind", "image"]);

/**
 * @returns the wirelab topology as plain data, and a map from its paths to
 *   the containerlab file's (longest matching prefix wins)
 */
export function fromClab(
  data: Record<string, unknown>,
  problems: Diagnostic[],
): { data: Record<string, unknown>; mapPath: (path: SourcePath) => SourcePath } {
  const prefixes: [SourcePath, SourcePath][] = [];
  const map = (to: SourcePath, from: SourcePath) => prefixes.push([to, from]);
  const topo = data.topology as Record<string, unknown>;
  for (const key of Object.keys(data)) {
    if (key !== "name" && key !== "topology" && key !== "prefix" && key !== "mgmt") {
      problems.push({
        code: "unsupported",
        message: `containerlab key "${key}" has no wirelab equivalent; remove it`,
        path: [key],
        atKey: true,
      });
    }
  }
  for (const key of Object.keys(topo)) {
    if (key !== "nodes" && key !== "links") {
      problems.push({
        code: "unsupported",
        message: `containerlab "topology.${key}" is not mapped; write the settings on each node`,
        path: ["topology", key],
        atKey: true,
      });
    }
  }
  const nodes: Record<string, unknown> = {};
  const bridges = new Map<string, string[]>();
  /** Nodes already reported as not mappable: their links are left out without more errors. */
  const rejected = new Set<string>();
  const expectMap = (v: unknown, path: SourcePath, what: string) =>
    expectShape(v, "map", path, what, problems) as Record<string, unknown> | undefined;
  const expectList = (v: unknown, path: SourcePath, what: string) =>
    expectShape(v, "list", path, what, problems) as unknown[] | undefined;
  const nodeMap = expectMap(topo.nodes, ["topology", "nodes"], "topology.nodes") ?? {};
  for (const [name, raw] of Object.entries(nodeMap)) {
    const cfg = expectMap(raw, ["topology", "nodes", name], `node "${name}"`);
    if (!cfg) {
      rejected.add(name);
      continue;
    }
    const kind = cfg.kind ?? "linux";
    if (kind === "bridge") {
      bridges.set(name, []);
      continue;
    }
    if (kind !== "linux") {
      rejected.add(name);
      problems.push({
        code: "unsupported",
        message: `containerlab kind "${String(kind)}" is a vendor container wirelab cannot run; use kind: linux (a network namespace), or a wirelab topology with kind: vm and the router's image`,
        path: ["topology", "nodes", name, "kind"],
      });
      continue;
    }
    for (const key of Object.keys(cfg)) {
      if (!LINUX_KEYS.has(key)) {
        problems.push({
          code: "unsupported",
          message: `containerlab node setting "${key}" is not mapped (wirelab nodes are namespaces configured from the topology); remove it`,
          path: ["topology", "nodes", name, key],
          atKey: true,
        });
      }
    }
    nodes[name] = {};
    map(["nodes", name], ["topology", "nodes", name]);
  }
  const links: unknown[] = [];
  const rawLinks = expectList(topo.links, ["topology", "links"], "topology.links") ?? [];
  rawLinks.forEach((raw, i) => {
    const at: SourcePath = ["topology", "links", i];
    const link = expectMap(raw, at, "a link");
    if (!link) return;
    if (link.type !== undefined && link.type !== "veth") {
      problems.push({
        code: "unsupported",
        message: `containerlab link type "${String(link.type)}" is not mapped; wirelab links are veth pairs, LANs and tunnels between its own nodes`,
        path: [...at, "type"],
      });
      return;
    }
    const rawEnds = expectList(link.endpoints, [...at, "endpoints"], "endpoints");
    if (!rawEnds) return;
    const ends = rawEnds.map((e, j) => endpoint(e, [...at, "endpoints", j], problems));
    if (ends.some((e) => e === undefined) || ends.length !== 2) {
      if (ends.length !== 2)
        problems.push({
          code: "bad-value",
          message: "a containerlab link has two endpoints",
          path: [...at, "endpoints"],
        });
      return;
    }
    const [a, b] = ends as [Endpoint, Endpoint];
    if (rejected.has(a.node) || rejected.has(b.node)) return;
    const unknown = [a, b].findIndex((e) => !(e.node in nodes) && !bridges.has(e.node));
    if (unknown >= 0) {
      problems.push({
        code: "unknown-node",
        message: `link endpoint names node "${[a, b][unknown]?.node}", which topology.nodes does not have`,
        path: [...at, "endpoints", unknown],
      });
      return;
    }
    const onBridge = bridges.has(a.node) ? [a, b] : bridges.has(b.node) ? [b, a] : undefined;
    if (onBridge) {
      const [bridge, member] = onBridge as [Endpoint, Endpoint];
      bridges.get(bridge.node)?.push(`${member.node}:${member.interface}`);
      return;
    }
    map(["links", links.length], at);
    links.push({
      [a.node]: { ifname: a.interface, ...a.addresses },
      [b.node]: { ifname: b.interface, ...b.addresses },
    });
  });
  for (const [bridge, members] of bridges) {
    map(["links", links.length], ["topology", "nodes", bridge]);
    links.push({ endpoints: members, name: bridge, type: "lan" });
  }
  const out: Record<string, unknown> = {
    ...(typeof data.name === "string" ? { name: data.name } : {}),
    nodes,
    links,
  };
  return {
    data: out,
    mapPath: (path) => {
      let best: [SourcePath, SourcePath] | undefined;
      for (const p of prefixes) {
        if (p[0].length <= path.length && p[0].every((x, k) => x === path[k])) {
          if (!best || p[0].length > best[0].length) best = p;
        }
      }
      return best ? [...best[1], ...path.slice(best[0].length)] : path;
    },
  };
}

/**
 * The value when it has the shape (null and a missing value count as an
 * empty one); otherwise a problem at its place, and undefined.
 */
function expectShape(
  v: unknown,
  shape: "map" | "list",
  path: SourcePath,
  what: string,
  problems: Diagnostic[],
): Record<string, unknown> | unknown[] | undefined {
  if (v === undefined || v === null) return shape === "map" ? {} : [];
  const isList = Array.isArray(v);
  if (shape === "list" ? isList : typeof v === "object" && !isList) return v as never;
  problems.push({
    code: "bad-type",
    message: `${what}: expected a ${shape}, got ${isList ? "a list" : `${typeof v} ${JSON.stringify(v)}`}`,
    path,
  });
  return undefined;
}

interface Endpoint {
  node: string;
  interface: string;
  addresses: { ipv4?: string; ipv6?: string };
}

function endpoint(e: unknown, path: SourcePath, problems: Diagnostic[]): Endpoint | undefined {
  if (typeof e === "string") {
    const [node, iface] = e.split(":");
    if (node && iface) return { node, interface: iface, addresses: {} };
  } else if (e && typeof e === "object") {
    const o = e as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      if (!["node", "interface", "ipv4", "ipv6"].includes(key)) {
        problems.push({
          code: "unsupported",
          message: `endpoint setting "${key}" is not mapped (wirelab derives MACs from the lab name); remove it`,
          path: [...path, key],
          atKey: true,
        });
        return undefined;
      }
    }
    if (typeof o.node === "string" && typeof o.interface === "string") {
      return {
        node: o.node,
        interface: o.interface,
        addresses: {
          ...(typeof o.ipv4 === "string" ? { ipv4: o.ipv4 } : {}),
          ...(typeof o.ipv6 === "string" ? { ipv6: o.ipv6 } : {}),
        },
      };
    }
  }
  problems.push({
    code: "bad-value",
    message: `endpoint: expected "node:interface" or { node, interface }, got ${JSON.stringify(e)}`,
    path,
  });
  return undefined;
}
