/**
 * containerlab topology files read directly (containerlab docs, "Topology
 * definition"): detected by their shape (`topology.nodes`), turned into a
 * wirelab topology before the usual checks. Each wirelab path keeps a way
 * back to the containerlab path it came from, so every problem is still
 * reported at its line and column in the containerlab file.
 *
 * Mapped: `name`; `topology.nodes` of `kind: linux` (network namespaces)
 * and `kind: bridge` (a LAN of everything linked to it), with settings
 * from `topology.defaults`, `topology.kinds.<kind>` and
 * `topology.groups.<group>` (a node's own win over its group's, its
 * group's over its kind's, its kind's over the defaults); `image`: an FRR
 * image (`…frr…`) makes a router (`device: frr`), any other is noted once
 * (the host's programs run, not the image's); `binds` onto FRR's files
 * (`…:/etc/frr/frr.conf`, `…:/etc/frr/daemons`, or a folder onto
 * `/etc/frr`) become the router's `config` and `daemons`; `exec` lines run
 * in the node as wirelab's `exec`; `sysctls` of IP forwarding as
 * `forwarding`; `topology.links` with `endpoints:
 * ["a:eth1", "b:eth1"]` or the extended `type: veth` form (with
 * `ipv4`/`ipv6` per endpoint; an end without them has no address, as in
 * containerlab; a bridge's LAN takes wirelab's LAN pool). The top-level `mgmt` and `prefix` are
 * accepted and not used (wirelab has its own management network and
 * names). Anything else is an error at its place: wirelab never drops part
 * of a topology.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Diagnostic } from "../errors.js";
import type { SourcePath } from "./types.js";

/** Whether parsed YAML looks like a containerlab topology. */
export function isClabTopology(data: unknown): boolean {
  const t = (data as { topology?: unknown } | null)?.topology;
  return typeof t === "object" && t !== null && "nodes" in t;
}

/** Node settings that are mapped (also in `defaults`, `kinds.<kind>` and `groups.<group>`). */
const NODE_KEYS = new Set(["kind", "image", "binds", "exec", "group", "sysctls"]);

/** The sysctls that are mapped: IP forwarding (wirelab's `forwarding`). */
const FORWARDING_SYSCTLS = new Set(["net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding"]);

/** Where containerlab's FRR images keep FRR's files, and what wirelab makes of each. */
const FRR_ETC = "/etc/frr";

/** Whether a container image is FRRouting's (quay.io/frrouting/frr, frrouting/frr, …). */
const isFrrImage = (image: string): boolean => /(^|[/:_-])frr([/:_.-]|$)|frrouting/i.test(image);

/**
 * @returns the wirelab topology as plain data, and a map from its paths to
 *   the containerlab file's (longest matching prefix wins)
 */
export function fromClab(
  data: Record<string, unknown>,
  problems: Diagnostic[],
  baseDir = ".",
): {
  data: Record<string, unknown>;
  mapPath: (path: SourcePath) => SourcePath;
  /** What the user should know: images whose programs are not used. */
  notes: string[];
} {
  const notes: string[] = [];
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
    if (!["nodes", "links", "defaults", "kinds", "groups"].includes(key)) {
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
  /** A settings map (node, group, kind, defaults) with only mapped keys; others reported. */
  const settings = (v: unknown, path: SourcePath, what: string): Settings | undefined => {
    const m = expectMap(v, path, what);
    if (!m) return undefined;
    for (const key of Object.keys(m))
      if (!NODE_KEYS.has(key))
        problems.push({
          code: "unsupported",
          message: `containerlab node setting "${key}" is not mapped (wirelab nodes are namespaces configured from the topology); remove it`,
          path: [...path, key],
          atKey: true,
        });
    return { values: m, path };
  };
  const defaults = settings(topo.defaults, ["topology", "defaults"], "topology.defaults");
  const named = (section: "kinds" | "groups") => {
    const out = new Map<string, Settings>();
    const m = expectMap(topo[section], ["topology", section], `topology.${section}`) ?? {};
    for (const [k, v] of Object.entries(m)) {
      const s = settings(
        v,
        ["topology", section, k],
        `${section === "kinds" ? "kind" : "group"} "${k}"`,
      );
      if (s) out.set(k, s);
    }
    return out;
  };
  const kinds = named("kinds");
  const groups = named("groups");
  const nodeMap = expectMap(topo.nodes, ["topology", "nodes"], "topology.nodes") ?? {};
  const images = new Set<string>();
  for (const [name, raw] of Object.entries(nodeMap)) {
    const own = settings(raw, ["topology", "nodes", name], `node "${name}"`);
    if (!own) {
      rejected.add(name);
      continue;
    }
    const cfg = own.values;
    const group = typeof cfg.group === "string" ? groups.get(cfg.group) : undefined;
    if (cfg.group !== undefined && !group)
      problems.push({
        code: "unknown-node",
        message: `node "${name}" is in group "${String(cfg.group)}", which topology.groups does not have`,
        path: ["topology", "nodes", name, "group"],
      });
    const kind = cfg.kind ?? group?.values.kind ?? defaults?.values.kind ?? "linux";
    /** A setting with where it was written: the node's, else its group's, its kind's, the defaults'. */
    const pick = (key: string): { value: unknown; path: SourcePath } | undefined => {
      for (const s of [
        own,
        group,
        typeof kind === "string" ? kinds.get(kind) : undefined,
        defaults,
      ])
        if (s && s.values[key] !== undefined)
          return { value: s.values[key], path: [...s.path, key] };
      return undefined;
    };
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
    const node: Record<string, unknown> = {};
    const image = pick("image");
    const frr = typeof image?.value === "string" && isFrrImage(image.value);
    if (frr) node.device = "frr";
    else if (typeof image?.value === "string") images.add(image.value);
    const binds = pick("binds");
    if (binds) {
      const list = expectList(binds.value, binds.path, "binds") ?? [];
      list.forEach((b, i) => {
        const at: SourcePath = [...binds.path, i];
        const bind = typeof b === "string" ? /^([^:]+):([^:]+)(:[a-z,]+)?$/.exec(b) : null;
        if (!bind) {
          problems.push({
            code: "bad-value",
            message: `a bind is "host-path:container-path[:ro]", got ${JSON.stringify(b)}`,
            path: at,
          });
          return;
        }
        const [, src, dst] = bind as unknown as [string, string, string];
        const target = dst.replace(/\/+$/, "");
        if (!frr || !(target === FRR_ETC || target.startsWith(`${FRR_ETC}/`))) {
          problems.push({
            code: "unsupported",
            message: frr
              ? `bind onto ${dst} is not mapped: a router's files are ${FRR_ETC}/frr.conf and ${FRR_ETC}/daemons (or a folder onto ${FRR_ETC}); the node runs the host's other files`
              : `bind onto ${dst} is not mapped: nodes run the host's programs and files${target.startsWith(FRR_ETC) ? "; FRR's files need an FRR image (a router)" : ""}`,
            path: at,
          });
          return;
        }
        const file = (key: "config" | "daemons", path: string) => {
          node[key] = path;
          map(["nodes", name, key], at);
        };
        if (target === FRR_ETC) {
          // A folder of FRR's files: the ones it has.
          file("config", join(src, "frr.conf"));
          if (existsSync(resolve(baseDir, src, "daemons"))) file("daemons", join(src, "daemons"));
        } else if (target === `${FRR_ETC}/frr.conf`) file("config", src);
        else if (target === `${FRR_ETC}/daemons`) file("daemons", src);
        else if (target !== `${FRR_ETC}/vtysh.conf`)
          problems.push({
            code: "unsupported",
            message: `bind onto ${dst} is not mapped: wirelab runs a router from ${FRR_ETC}/frr.conf and ${FRR_ETC}/daemons (vtysh.conf is its own: one integrated configuration)`,
            path: at,
          });
      });
    }
    const sysctls = pick("sysctls");
    if (sysctls) {
      const m = expectMap(sysctls.value, sysctls.path, "sysctls") ?? {};
      for (const [key, value] of Object.entries(m)) {
        if (!FORWARDING_SYSCTLS.has(key)) {
          problems.push({
            code: "unsupported",
            message: `sysctl "${key}" is not mapped (only IP forwarding is: ${[...FORWARDING_SYSCTLS].join(", ")}); set it with an exec line`,
            path: [...sysctls.path, key],
            atKey: true,
          });
          continue;
        }
        node.forwarding = String(value) === "1";
        map(["nodes", name, "forwarding"], [...sysctls.path, key]);
      }
    }
    const exec = pick("exec");
    if (exec) {
      node.exec = exec.value;
      map(["nodes", name, "exec"], exec.path);
    }
    nodes[name] = node;
    map(["nodes", name], ["topology", "nodes", name]);
  }
  for (const image of images)
    notes.push(
      `image "${image}" is not run: wirelab's namespace nodes use the host's programs (install what the image had with apt)`,
    );
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
    // As in containerlab, an end without addresses has none (its node's configuration or exec lines give them).
    const none = { ipv4: false, ipv6: false };
    links.push({
      [a.node]: { ifname: a.interface, ...none, ...a.addresses },
      [b.node]: { ifname: b.interface, ...none, ...b.addresses },
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
    notes,
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

/** Settings of a node, group, kind or the defaults, and where they are written. */
interface Settings {
  readonly values: Record<string, unknown>;
  readonly path: SourcePath;
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
