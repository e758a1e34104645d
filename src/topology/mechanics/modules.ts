/**
 * Which modules each node runs, and the module attributes it gets, as
 * netlab decides them (netlab's `modules/__init__.py`; docs "Configuration
 * Modules"): a node's own `module` list, else the topology's `module` if it
 * is a router (hosts run only what they name); a module's global attributes
 * (`bgp.as: 65000`, `ospf.area`), its `defaults.<module>` and its built-in
 * defaults merged under each node's own, except those that stay global.
 */
import { isModuleName, MODULES, NETLAB_ONLY_MODULES } from "../modules/index.js";
import type { ModuleName } from "../modules/types.js";
import { isPlainObject, mergeDeep } from "../origins.js";
import { describe, type MechanicsContext, report } from "./context.js";

const RUN = `wirelab runs the modules ${Object.keys(MODULES).join(", ")}`;

/** Keys of a module's settings that are netlab's own, never given to nodes (netlab's `no_propagate_list`). */
const NEVER_PROPAGATED = [
  "attributes",
  "extra_attributes",
  "features",
  "hooks",
  "requires",
  "supported_on",
  "no_propagate",
  "config_after",
  "transform_after",
  "warnings",
];

/** A module list as written (`module: [ospf]`), its names checked. */
export function checkModuleList(
  list: unknown,
  root: Record<string, unknown>,
  path: (string | number)[],
  ctx: MechanicsContext,
): ModuleName[] | undefined {
  if (list === undefined || list === null) return undefined;
  const items = typeof list === "string" ? [list] : list;
  if (!Array.isArray(items)) {
    report(
      ctx,
      root,
      path,
      "bad-type",
      `"module" is a list of modules, got ${describe(list)}; ${RUN}`,
    );
    return undefined;
  }
  const out: ModuleName[] = [];
  items.forEach((m, i) => {
    const at = typeof list === "string" ? path : [...path, i];
    if (isModuleName(m)) {
      if (!out.includes(m)) out.push(m);
    } else if ((NETLAB_ONLY_MODULES as readonly unknown[]).includes(m))
      report(
        ctx,
        root,
        at,
        "unsupported",
        `netlab module "${String(m)}" is not run by wirelab; ${RUN}`,
      );
    else report(ctx, root, at, "bad-value", `unknown module ${describe(m)}; ${RUN}`);
  });
  return out;
}

/**
 * Sets each node's `module` to the modules it runs and merges the module
 * attributes it gets under its own; sets the topology's `module` to every
 * module some node runs.
 *
 * @param isRouter - whether a node is a router (it takes the global modules), by its device and role
 */
export function applyModules(
  data: Record<string, unknown>,
  ctx: MechanicsContext,
  isRouter: (node: Record<string, unknown>) => boolean,
): void {
  const nodes = data.nodes as Record<string, unknown>;
  const global = checkModuleList(data.module, data, ["module"], ctx) ?? [];
  const defaults = isPlainObject(data.defaults) ? data.defaults : {};
  const used = new Set<ModuleName>();
  for (const [name, raw] of Object.entries(nodes)) {
    if (!isPlainObject(raw)) continue;
    const own = checkModuleList(raw.module, data, ["nodes", name, "module"], ctx);
    const modules = own ?? (isRouter(raw) ? global : []);
    let node = ctx.origins.copy(
      raw,
      { module: modules.length ? modules : undefined },
      ctx.origins.get(raw, "module"),
    );
    const device = typeof raw.device === "string" ? raw.device : undefined;
    for (const m of modules) {
      const spec = MODULES[m];
      if (device !== undefined && !spec.devices.includes(device)) {
        report(
          ctx,
          data,
          ["nodes", name, ...(own ? ["module"] : ["device"])],
          "unsupported",
          `node "${name}" (device ${device}) cannot run module ${m}; ${m} runs on ${spec.devices.join(", ")}`,
        );
        continue;
      }
      used.add(m);
      const keep = (v: unknown) =>
        isPlainObject(v)
          ? ctx.origins.copy(
              v,
              Object.fromEntries(
                [...spec.noPropagate, ...NEVER_PROPAGATED].map((k) => [k, undefined]),
              ),
            )
          : v;
      // Built-in defaults < defaults.<module> < global attributes < the node's own.
      let attrs = mergeDeep(keep(spec.defaults), keep(defaults[m]), ctx.origins);
      if (isPlainObject(data[m])) attrs = mergeDeep(attrs, keep(data[m]), ctx.origins);
      attrs = mergeDeep(attrs, node[m], ctx.origins);
      if (isPlainObject(attrs) && Object.keys(attrs).length > 0)
        node = ctx.origins.copy(node, { [m]: attrs }, ctx.origins.get(node, m));
    }
    for (const m of Object.keys(MODULES) as ModuleName[])
      if (m in raw && !modules.includes(m))
        report(
          ctx,
          data,
          ["nodes", name, m],
          "bad-value",
          `node "${name}" has ${m} attributes but does not run the ${m} module; add ${m} to its "module" list${global.includes(m) && !isRouter(raw) ? " (hosts do not take the topology's modules)" : ""}`,
          true,
        );
    nodes[name] = node;
  }
  for (const m of global) used.add(m);
  // The global view of each module in use: its defaults under the topology's (e.g. bgp.ebgp_role).
  for (const m of used) {
    const own = (v: unknown) =>
      isPlainObject(v)
        ? ctx.origins.copy(v, Object.fromEntries(NEVER_PROPAGATED.map((k) => [k, undefined])))
        : v;
    const merged = mergeDeep(
      mergeDeep(MODULES[m].defaults, own(defaults[m]), ctx.origins),
      own(data[m]),
      ctx.origins,
    );
    if (m === "routing" && typeof data.routing === "string") continue; // wirelab's routing mode
    if (isPlainObject(merged) && Object.keys(merged).length) data[m] = merged;
  }
  for (const m of Object.keys(MODULES) as ModuleName[])
    if (isPlainObject(data[m]) && !used.has(m))
      report(
        ctx,
        data,
        [m],
        "bad-value",
        `the topology has ${m} attributes but no node runs the ${m} module; add ${m} to "module"`,
        true,
      );
  data.module = [...used];
}
