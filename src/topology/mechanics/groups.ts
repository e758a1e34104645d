/**
 * netlab's node groups (netlab docs, "Groups of Lab Objects"): `groups`
 * in the topology and in its defaults, a group a map with `members` and
 * attributes (or a list of members), members by name, wildcard (`h*`) or
 * regular expression (`~h.`), groups of groups, and a node's own `group`.
 *
 * What a group gives its members, in netlab's order: `device` to members
 * that name none, `module` added to members' modules, then every other
 * attribute deep-merged under the members' own (a node's own value wins,
 * an inner group's over an outer one's). `all` holds every node, a group
 * named after a device the nodes of that device, `as<N>` the BGP speakers
 * of AS N (its attributes go last); these have no written members. A
 * default group (from `defaults.groups`) is merged under the topology's
 * group of the same name; its members that are not nodes are dropped.
 */
import picomatch from "picomatch";
import { isPlainObject, mergeDeep } from "../origins.js";
import { describe, type MechanicsContext, report } from "./context.js";

/** Group keys that are the group's own, not attributes given to its members. */
const GROUP_KEYS = new Set(["members", "type", "device", "module", "vars", "config", "node_data"]);

/** A group, collected. */
interface Group {
  readonly name: string;
  /** Where it is written, for messages: a path of the topology data. */
  readonly path: (string | number)[];
  /** Members as written (names, wildcards, regular expressions, groups). */
  written: unknown[];
  /** Nodes and groups it holds once expanded. */
  members: string[];
  /** The group's map (its attributes, with their origins). */
  attrs: Record<string, unknown>;
  readonly isDefault: boolean;
}

/** Names of the groups nodes are put in by what they are, not by `members`. */
const isAsGroup = (name: string) => /^as\d+$/.test(name);

/**
 * Applies every group to the nodes and removes `groups` (and
 * `defaults.groups`) from the data. Devices are settled here too: a node's
 * own, else its groups', else `defaults.device` (wirelab's default: `linux`).
 *
 * @param data - the topology with dotted keys expanded and defaults merged; `nodes` a map
 * @param deviceDefault - the device of nodes that name none and have none from a group
 * @param nodeModules - the modules a node runs (its own, or the global ones if it is a router)
 */
export function applyGroups(
  data: Record<string, unknown>,
  ctx: MechanicsContext,
  deviceDefault: string | undefined,
  nodeModules: (node: Record<string, unknown>) => readonly string[],
): void {
  const nodes = data.nodes as Record<string, unknown>;
  const defaults = isPlainObject(data.defaults) ? data.defaults : {};
  const groups = new Map<string, Group>();
  const topoGroups = collect(data, ["groups"], data.groups, false, ctx);
  const defGroups = collect(data, ["defaults", "groups"], defaults.groups, true, ctx);
  for (const g of topoGroups) groups.set(g.name, g);
  for (const d of defGroups) {
    const t = groups.get(d.name);
    if (!t) {
      groups.set(d.name, d);
      continue;
    }
    // The topology's group wins; the default group's members count only when it has none.
    t.attrs = mergeDeep(d.attrs, t.attrs, ctx.origins) as Record<string, unknown>;
    if (t.written.length === 0) t.written = d.written;
  }
  const autoCreate =
    (isPlainObject(data.groups) && data.groups._auto_create === true) ||
    (isPlainObject(defaults.groups) && defaults.groups._auto_create === true);
  for (const g of groups.values()) {
    if (g.name in nodes) {
      report(
        ctx,
        data,
        g.path,
        "duplicate-name",
        `group "${g.name}" has the name of a node; rename one of them`,
        true,
      );
      groups.delete(g.name);
      continue;
    }
    if (g.attrs.type !== undefined && g.attrs.type !== "node")
      report(
        ctx,
        data,
        [...g.path, "type"],
        "unsupported",
        `group "${g.name}" is a ${String(g.attrs.type)} group; wirelab has node groups only (no VLANs or VRFs)`,
      );
    // netlab's _auto_create: members that are neither nodes nor groups become nodes.
    if (autoCreate || g.attrs._auto_create === true)
      for (const m of g.written)
        if (typeof m === "string" && !(m in nodes) && !groups.has(m) && !isPattern(m))
          nodes[m] = {};
  }
  // A node's own `group` puts it in groups (created when new).
  for (const [name, node] of Object.entries(nodes)) {
    if (!isPlainObject(node) || node.group === undefined) continue;
    const list = typeof node.group === "string" ? [node.group] : node.group;
    if (!Array.isArray(list) || list.some((g) => typeof g !== "string")) {
      report(
        ctx,
        data,
        ["nodes", name, "group"],
        "bad-type",
        `"group" of node "${name}" is a group name or a list of them, got ${describe(node.group)}`,
      );
    } else {
      for (const gname of list as string[]) {
        const g = groups.get(gname) ?? {
          name: gname,
          path: ["nodes", name, "group"],
          written: [],
          members: [],
          attrs: {},
          isDefault: false,
        };
        groups.set(gname, g);
        g.written = [...g.written, name];
      }
    }
    nodes[name] = ctx.origins.copy(node, { group: undefined });
  }
  const nodeNames = Object.keys(nodes);
  for (const g of groups.values()) {
    const special = g.name === "all" || isAsGroup(g.name) || KNOWN_DEVICE_GROUPS.has(g.name);
    if (special && g.written.length > 0 && !g.isDefault)
      report(
        ctx,
        data,
        [...g.path, "members"],
        "bad-value",
        `group "${g.name}" is netlab's own (${g.name === "all" ? "every node" : isAsGroup(g.name) ? "the BGP speakers of an AS" : "the nodes of a device"}) and takes no members; put the nodes in a group of your own`,
      );
    g.members = special ? [] : expandMembers(g, nodeNames, groups, data, ctx);
  }
  // A group that holds itself is reported and loses its members; the others still apply.
  breakCycles(groups, data, ctx);
  const order = innermostFirst(groups);
  const membersOf = (g: Group, seen = new Set<string>()): string[] => {
    if (g.name === "all") return nodeNames;
    if (KNOWN_DEVICE_GROUPS.has(g.name))
      return nodeNames.filter((n) => deviceOf(nodes[n]) === g.name);
    const out: string[] = [];
    for (const m of g.members) {
      if (m in nodes) out.push(m);
      else if (!seen.has(m)) {
        const child = groups.get(m);
        if (child) out.push(...membersOf(child, new Set([...seen, g.name])));
      }
    }
    return [...new Set(out)];
  };
  // 1. devices, then 2. modules, from the innermost groups out (an inner group's device wins).
  for (const g of order) {
    if (g.attrs.device === undefined) continue;
    if (KNOWN_DEVICE_GROUPS.has(g.name)) {
      report(
        ctx,
        data,
        [...g.path, "device"],
        "bad-value",
        `group "${g.name}" holds the nodes of device ${g.name}; it cannot give them another device`,
        true,
      );
      continue;
    }
    for (const m of membersOf(g)) {
      const node = nodes[m];
      if (isPlainObject(node) && node.device === undefined)
        nodes[m] = withValue(ctx, node, "device", g.attrs.device, g.attrs);
    }
  }
  for (const [name, node] of Object.entries(nodes))
    if (isPlainObject(node) && node.device === undefined && deviceDefault !== undefined)
      nodes[name] = withValue(
        ctx,
        node,
        "device",
        deviceDefault,
        isPlainObject(data.defaults) ? data.defaults : undefined,
      );
  for (const g of order) {
    if (g.attrs.module === undefined) continue;
    if (!Array.isArray(g.attrs.module)) {
      report(
        ctx,
        data,
        [...g.path, "module"],
        "bad-type",
        `"module" of group "${g.name}" is a list of modules, got ${describe(g.attrs.module)}`,
      );
      continue;
    }
    for (const m of membersOf(g)) {
      const node = nodes[m];
      if (!isPlainObject(node)) continue;
      const own = node.module === undefined ? [] : node.module;
      if (!Array.isArray(own)) continue; // the node's own problem, reported by the schema
      const list = [...own, ...(g.attrs.module as unknown[]).filter((x) => !own.includes(x))];
      nodes[m] = withValue(ctx, node, "module", list, g.attrs);
    }
  }
  // 3. attributes: static groups first, then the BGP AS groups.
  const globalModules = Array.isArray(data.module) ? (data.module as unknown[]) : [];
  for (const asPass of [false, true]) {
    for (const g of order) {
      if (isAsGroup(g.name) !== asPass) continue;
      reportGroupOnly(g, data, ctx);
      const attrs = groupAttributes(g, ctx);
      if (Object.keys(attrs).length === 0) continue;
      const members = asPass ? asMembers(g.name, nodes, data, nodeModules) : membersOf(g);
      for (const m of members) {
        const node = nodes[m];
        if (!isPlainObject(node)) continue;
        let give = attrs;
        // A node with its own modules takes no group attributes of global modules it does not run.
        if (Array.isArray(node.module)) {
          const dropped = globalModules.filter(
            (mod) => typeof mod === "string" && !(node.module as unknown[]).includes(mod),
          );
          if (dropped.some((mod) => (mod as string) in attrs))
            give = ctx.origins.copy(
              attrs,
              Object.fromEntries(dropped.map((d) => [d as string, undefined])),
            );
        }
        nodes[m] = mergeDeep(give, node, ctx.origins) as Record<string, unknown>;
      }
    }
    if (!asPass) applyAsList(data, nodes, ctx);
  }
  delete data.groups;
  if (isPlainObject(data.defaults) && "groups" in data.defaults)
    data.defaults = ctx.origins.copy(data.defaults, { groups: undefined });
}

/** The device names whose groups netlab fills itself: the devices wirelab runs. */
const KNOWN_DEVICE_GROUPS = new Set(["frr", "linux", "none"]);

const deviceOf = (node: unknown) => (isPlainObject(node) ? node.device : undefined);

/** A copy of a node with `key` set, its origin the place it was written in `from`. */
function withValue(
  ctx: MechanicsContext,
  node: Record<string, unknown>,
  key: string,
  value: unknown,
  from: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const origin = from ? ctx.origins.get(from, key) : undefined;
  return ctx.origins.copy(node, { [key]: value }, origin);
}

/** The groups of one `groups` map, in the order written. */
function collect(
  root: Record<string, unknown>,
  path: (string | number)[],
  raw: unknown,
  isDefault: boolean,
  ctx: MechanicsContext,
): Group[] {
  if (raw === undefined || raw === null) return [];
  if (!isPlainObject(raw)) {
    report(
      ctx,
      root,
      path,
      "bad-type",
      `"groups" is a map of group names to groups, got ${describe(raw)}`,
    );
    return [];
  }
  const out: Group[] = [];
  for (const [name, value] of Object.entries(raw)) {
    if (name.startsWith("_")) continue; // settings of the groups themselves (_auto_create)
    const at = [...path, name];
    if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) {
      report(
        ctx,
        root,
        at,
        "bad-name",
        `group name "${name}" must start with a letter and use letters, digits, _ and -`,
        true,
      );
      continue;
    }
    if (Array.isArray(value)) {
      out.push({ name, path: at, written: value, members: [], attrs: {}, isDefault });
    } else if (isPlainObject(value)) {
      const members = value.members;
      if (members !== undefined && members !== null && !Array.isArray(members)) {
        report(
          ctx,
          root,
          [...at, "members"],
          "bad-type",
          `members of group "${name}" are a list of node names, got ${describe(members)}`,
        );
      }
      out.push({
        name,
        path: at,
        written: Array.isArray(members) ? members : [],
        members: [],
        attrs: value,
        isDefault,
      });
    } else {
      report(
        ctx,
        root,
        at,
        "bad-type",
        `group "${name}" is a map (members and attributes) or a list of members, got ${describe(value)}`,
      );
    }
  }
  return out;
}

const isPattern = (m: string) => m.startsWith("~") || /[[\]*?!]/.test(m);

/** A group's written members as node and group names (netlab's `expand_group_members`). */
function expandMembers(
  g: Group,
  nodeNames: readonly string[],
  groups: ReadonlyMap<string, Group>,
  root: Record<string, unknown>,
  ctx: MechanicsContext,
): string[] {
  const out: string[] = [];
  const add = (m: string) => {
    if (!out.includes(m)) out.push(m);
  };
  for (const [i, m] of g.written.entries()) {
    const at = [...g.path, ...(g.attrs.members !== undefined ? ["members"] : []), i];
    if (typeof m !== "string") {
      report(
        ctx,
        root,
        at,
        "bad-type",
        `member of group "${g.name}" is a node name, got ${describe(m)}`,
      );
      continue;
    }
    if (nodeNames.includes(m) || groups.has(m)) {
      add(m);
      continue;
    }
    let matched: string[] | undefined;
    if (m.startsWith("~")) {
      try {
        const re = new RegExp(`^(?:${m.slice(1)})$`);
        matched = nodeNames.filter((n) => re.test(n));
      } catch (e) {
        report(
          ctx,
          root,
          at,
          "bad-value",
          `"${m}" in group "${g.name}" is not a regular expression (${(e as Error).message})`,
        );
        continue;
      }
    } else if (isPattern(m)) {
      const isMatch = picomatch(m, {
        posix: true,
        nonegate: true,
        nobrace: true,
        noextglob: true,
        dot: true,
      });
      matched = nodeNames.filter((n) => isMatch(n));
    }
    if (matched === undefined) {
      if (!g.isDefault)
        report(
          ctx,
          root,
          at,
          "unknown-node",
          `member "${m}" of group "${g.name}" is neither a node nor a group (nodes are: ${nodeNames.join(", ")})`,
        );
      continue;
    }
    if (matched.length === 0 && !g.isDefault) {
      report(
        ctx,
        root,
        at,
        "unknown-node",
        `"${m}" in group "${g.name}" matches no node (nodes are: ${nodeNames.join(", ")})`,
      );
      continue;
    }
    for (const n of matched) add(n);
  }
  return out;
}

/** Reports each group that holds itself (through other groups), and empties it. */
function breakCycles(
  groups: ReadonlyMap<string, Group>,
  root: Record<string, unknown>,
  ctx: MechanicsContext,
): void {
  const visit = (g: Group, chain: string[]): string[] | undefined => {
    for (const m of g.members) {
      if (chain.includes(m)) return [...chain, m];
      const child = groups.get(m);
      if (child) {
        const found = visit(child, [...chain, m]);
        if (found) return found;
      }
    }
    return undefined;
  };
  for (const g of groups.values()) {
    const chain = visit(g, [g.name]);
    if (chain) {
      report(
        ctx,
        root,
        g.path,
        "bad-value",
        `groups hold each other: ${chain.join(" → ")}; a group cannot be its own member`,
        true,
      );
      g.members = [];
    }
  }
}

/** Groups ordered so that a group comes after every group it holds (netlab's reverse topological sort, by name). */
function innermostFirst(groups: ReadonlyMap<string, Group>): Group[] {
  const left = new Map([...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const out: Group[] = [];
  while (left.size > 0) {
    for (const [name, g] of left) {
      if (g.members.some((m) => left.has(m))) continue;
      out.push(g);
      left.delete(name);
    }
  }
  return out;
}

/** The attributes a group gives its members: every key but its own (and `node_data`'s keys). */
function groupAttributes(g: Group, ctx: MechanicsContext): Record<string, unknown> {
  const drop: Record<string, undefined> = {};
  for (const k of Object.keys(g.attrs))
    if (GROUP_KEYS.has(k) || k.startsWith("_")) drop[k] = undefined;
  let attrs = ctx.origins.copy(g.attrs, drop);
  // netlab's deprecated `node_data`: node attributes of the members.
  if (isPlainObject(g.attrs.node_data))
    attrs = mergeDeep(g.attrs.node_data, attrs, ctx.origins) as Record<string, unknown>;
  return attrs;
}

/** Reports what a group holds that wirelab has no use for, once. */
function reportGroupOnly(g: Group, root: Record<string, unknown>, ctx: MechanicsContext): void {
  if (g.attrs.vars !== undefined)
    ctx.notes.push(
      `group "${g.name}": vars (Ansible group variables) are not used; wirelab configures nodes without Ansible`,
    );
  if (Array.isArray(g.attrs.config))
    report(
      ctx,
      root,
      [...g.path, "config"],
      "unsupported",
      `group "${g.name}": config lists netlab's Jinja2 configuration templates, which wirelab does not render; give each router an FRR configuration file ("config: FILE")`,
      true,
    );
}

/** Members of an `as<N>` group: nodes that run BGP in AS N (their own bgp.as, else the global one). */
function asMembers(
  name: string,
  nodes: Record<string, unknown>,
  data: Record<string, unknown>,
  nodeModules: (node: Record<string, unknown>) => readonly string[],
): string[] {
  const asn = Number(name.slice(2));
  const globalAs = isPlainObject(data.bgp) ? data.bgp.as : undefined;
  return Object.entries(nodes).flatMap(([n, node]) => {
    if (!isPlainObject(node) || !nodeModules(node).includes("bgp")) return [];
    const own = isPlainObject(node.bgp) ? node.bgp.as : undefined;
    return Number(own ?? globalAs) === asn ? [n] : [];
  });
}

/**
 * `bgp.as_list` (netlab docs, "BGP Configuration Module", global
 * parameters): AS → members and route reflectors, set as each member's
 * `bgp.as` and `bgp.rr`.
 */
function applyAsList(
  data: Record<string, unknown>,
  nodes: Record<string, unknown>,
  ctx: MechanicsContext,
): void {
  const bgp = data.bgp;
  if (!isPlainObject(bgp) || !isPlainObject(bgp.as_list)) return;
  const names = Object.keys(nodes);
  const taken = new Map<string, string>();
  for (const [asn, entry] of Object.entries(bgp.as_list)) {
    if (!isPlainObject(entry)) continue; // the schema says so
    const expand = (key: "members" | "rr"): string[] => {
      const list = entry[key];
      if (!Array.isArray(list)) return [];
      const g: Group = {
        name: `bgp.as_list.${asn}`,
        path: ["bgp", "as_list", asn, key],
        written: list,
        members: [],
        attrs: { members: list },
        isDefault: false,
      };
      return expandMembers(g, names, new Map(), data, ctx);
    };
    const rr = expand("rr");
    for (const m of expand("members")) {
      const node = nodes[m];
      if (!isPlainObject(node)) continue;
      const first = taken.get(m);
      if (first !== undefined) {
        report(
          ctx,
          data,
          ["bgp", "as_list", asn],
          "bad-value",
          `node "${m}" is in AS ${first} and AS ${asn} of bgp.as_list; a node is in one AS`,
        );
        continue;
      }
      taken.set(m, asn);
      const own = isPlainObject(node.bgp) ? node.bgp : {};
      if (own.as !== undefined && Number(own.as) !== Number(asn)) {
        report(
          ctx,
          data,
          ["nodes", m, "bgp", "as"],
          "bad-value",
          `node "${m}" has bgp.as ${String(own.as)} but is listed in AS ${asn} of bgp.as_list`,
        );
        continue;
      }
      const given: Record<string, unknown> = {
        as: Number(asn),
        ...(rr.includes(m) ? { rr: true } : {}),
      };
      nodes[m] = ctx.origins.copy(node, { bgp: mergeDeep(given, own, ctx.origins) });
    }
    for (const r of rr)
      if (!taken.has(r) || taken.get(r) !== asn)
        report(
          ctx,
          data,
          ["bgp", "as_list", asn, "rr"],
          "bad-value",
          `node "${r}" is a route reflector of AS ${asn} in bgp.as_list but not one of its members`,
        );
  }
}
