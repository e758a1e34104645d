/**
 * netlab attributes wirelab does not implement, each an error at its key
 * that names it and says why (never dropped without a word): netlab's
 * other modules' attributes, its plugins' and module attributes wirelab's
 * modules do not take.
 */
import type { Diagnostic } from "../errors.js";
import { MODULES, NETLAB_ONLY_MODULES } from "./modules/index.js";
import type { ModuleLevel, ModuleName } from "./modules/types.js";

type Path = readonly (string | number)[];

const moduleNeeded = (m: string) => `needs netlab's ${m} module, which wirelab does not run`;

/** Node attributes of netlab's that wirelab does not implement. */
const NODE: Readonly<Record<string, string>> = {
  unmanaged: "unmanaged nodes are not implemented by wirelab; leave the node out",
  interfaces: "a node's interfaces come from its links; write them under links",
  frr: "netlab's frr.daemons and frr.debug are not implemented; give the router a daemons file (daemons: FILE)",
  vrfs: moduleNeeded("vrf"),
  vlans: moduleNeeded("vlan"),
  vlan: moduleNeeded("vlan"),
  vrf: moduleNeeded("vrf"),
};

/** Link and interface attributes of netlab's that wirelab does not implement. */
const LINK: Readonly<Record<string, string>> = {
  vlan: moduleNeeded("vlan"),
  vrf: moduleNeeded("vrf"),
  gateway: moduleNeeded("gateway"),
  group: "link groups are not implemented by wirelab; write each link",
  members: "link groups are not implemented by wirelab; write each link",
  bridge: "wirelab names its LAN bridges itself (a LAN's name is its link name)",
  dhcp: moduleNeeded("dhcp"),
  lag: moduleNeeded("lag"),
};

/**
 * Reports and removes netlab attributes wirelab does not implement from a
 * node's, link's or interface's attributes (before the schema sees them).
 *
 * @returns the attributes wirelab takes
 */
export function withoutNetlabOnly(
  attrs: Record<string, unknown>,
  level: "node" | "link" | "interface",
  path: Path,
  diagnostics: Diagnostic[],
): Record<string, unknown> {
  const table = level === "node" ? NODE : LINK;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(attrs)) {
    const why =
      table[k] ??
      ((NETLAB_ONLY_MODULES as readonly string[]).includes(k) ? moduleNeeded(k) : undefined);
    // `config` as a list is netlab's templates; as a string, a router's frr.conf.
    const netlabConfig = k === "config" && Array.isArray(v);
    if (why || netlabConfig) {
      diagnostics.push({
        code: "unsupported",
        message: netlabConfig
          ? `config lists netlab's Jinja2 configuration templates, which wirelab does not render; give the router its FRR configuration file ("config: FILE")`
          : `netlab attribute "${k}": ${why}`,
        path: [...path, k],
        atKey: true,
      });
      continue;
    }
    out[k] =
      k in MODULES && v !== null && typeof v === "object" && !Array.isArray(v)
        ? moduleAttrs(
            k as ModuleName,
            v as Record<string, unknown>,
            level,
            [...path, k],
            diagnostics,
          )
        : v;
  }
  return out;
}

/** A module's attributes without those wirelab does not implement (reported). */
export function moduleAttrs(
  module: ModuleName,
  attrs: Record<string, unknown>,
  level: ModuleLevel,
  path: Path,
  diagnostics: Diagnostic[],
): Record<string, unknown> {
  const table = MODULES[module].notImplemented[level] ?? {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(attrs)) {
    const why = table[k];
    if (why) {
      diagnostics.push({
        code: "unsupported",
        message: `${module}.${k} ${why}`,
        path: [...path, k],
        atKey: true,
      });
      continue;
    }
    out[k] = v;
  }
  return out;
}
