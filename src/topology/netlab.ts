/**
 * netlab topology files read directly (netlab docs, "Lab Topology
 * Reference"). wirelab's own format already takes netlab's `nodes` and
 * `links` forms; a file is treated as netlab's when it has one of the keys
 * only netlab has: `provider`, `module`, `groups`, `defaults.device`, or a
 * node `device`. Those are mapped here, in place (paths do not move, so
 * problems are located as they are):
 *
 * - `device: linux` or `frr` (also on `defaults` and groups) → that device,
 *   in a `linux` node (a namespace) with `provider: clab` or none, a `vm`
 *   node (wirelab's guest) with `provider: libvirt`; any other device (a
 *   vendor image) is an error at its place;
 * - `groups: { NAME: { members: [...], device: ... } }` (or `NAME: [...]`,
 *   members only) → the device of the members that set none; other group
 *   attributes are errors; `_`-keys (`_auto_create`) are group settings;
 * - `module` (routing protocols) is an error: wirelab routes statically.
 */
import type { Diagnostic } from "../errors.js";
import { deviceSchema } from "./schema.js";

const NETLAB_ONLY = ["provider", "module", "groups"];

/** The devices wirelab runs (its own `device:` values; others are netlab's vendor devices). */
const WIRELAB_DEVICES = deviceSchema.options;

/**
 * Whether parsed YAML uses keys only netlab has, or a device wirelab does
 * not run (a vendor's, which netlab's mapping reports at its place).
 */
export function isNetlabTopology(data: unknown): boolean {
  if (!data || typeof data !== "object") return false;
  const d = data as Record<string, unknown>;
  if (NETLAB_ONLY.some((k) => k in d) || "defaults.device" in d) return true;
  const foreign = (v: unknown) =>
    v !== undefined && !(WIRELAB_DEVICES as readonly unknown[]).includes(v);
  const defaults = d.defaults as Record<string, unknown> | undefined;
  if (defaults && typeof defaults === "object" && foreign(defaults.device)) return true;
  const nodes = d.nodes;
  return (
    !!nodes &&
    typeof nodes === "object" &&
    !Array.isArray(nodes) &&
    Object.values(nodes as Record<string, unknown>).some(
      (n) => !!n && typeof n === "object" && foreign((n as Record<string, unknown>).device),
    )
  );
}

/**
 * @returns the topology with netlab's keys turned into wirelab's
 */
export function fromNetlab(
  data: Record<string, unknown>,
  problems: Diagnostic[],
): Record<string, unknown> {
  // netlab's dotted keys (`defaults.device: linux`) are nested ones.
  const dotted = "defaults.device" in data;
  if (dotted) {
    const { "defaults.device": device, ...rest } = data;
    data = { ...rest, defaults: { ...((rest.defaults as object) ?? {}), device } };
  }
  const out: Record<string, unknown> = { ...data };
  const provider = data.provider ?? "clab";
  delete out.provider;
  if (provider !== "clab" && provider !== "libvirt") {
    problems.push({
      code: "unsupported",
      message: `netlab provider "${String(provider)}" is not mapped; use clab (namespaces) or libvirt (VMs)`,
      path: ["provider"],
    });
  }
  if ("module" in data) {
    delete out.module;
    problems.push({
      code: "unsupported",
      message:
        'netlab modules (routing protocols) are not wirelab\'s; remove "module" and use "routing: static" for static routes everywhere',
      path: ["module"],
      atKey: true,
    });
  }
  // netlab's providers run every node the same way: containers (namespaces here) or VMs.
  const kindForProvider = provider === "libvirt" ? "vm" : "linux";
  const deviceOf = (device: unknown, path: (string | number)[]): string | undefined => {
    if (typeof device === "string" && (WIRELAB_DEVICES as readonly string[]).includes(device))
      return device;
    problems.push({
      code: "unsupported",
      message: `netlab device "${String(device)}" needs its vendor image; wirelab runs the devices ${WIRELAB_DEVICES.join(" and ")} (in namespaces or VMs), or a VM with "image:" in a wirelab topology`,
      path,
    });
    return undefined;
  };
  const defaults = data.defaults as Record<string, unknown> | undefined;
  let defaultDevice: string | undefined;
  if (defaults && typeof defaults === "object" && "device" in defaults) {
    const { device, ...rest } = defaults;
    defaultDevice = deviceOf(device, dotted ? ["defaults.device"] : ["defaults", "device"]);
    out.defaults = {
      ...rest,
      ...(defaultDevice ? { kind: kindForProvider } : {}),
      ...(defaultDevice && defaultDevice !== "linux" ? { device: defaultDevice } : {}),
    };
  }
  const groupDevice = new Map<string, string>();
  if ("groups" in data) {
    delete out.groups;
    for (const g of netlabGroups(data.groups, problems)) {
      const device =
        g.device !== undefined ? deviceOf(g.device, ["groups", g.name, "device"]) : undefined;
      if (device) for (const m of g.members) groupDevice.set(m, device);
    }
  }
  const nodes = data.nodes;
  if (nodes && typeof nodes === "object") {
    const entries: [string, unknown][] = Array.isArray(nodes)
      ? nodes.map((n) => [String(n), {}])
      : Object.entries(nodes as Record<string, unknown>);
    const mapped: Record<string, unknown> = {};
    for (const [name, raw] of entries) {
      // Not a map: left as it is, for the schema to say so at its place.
      if (raw !== null && raw !== undefined && (typeof raw !== "object" || Array.isArray(raw))) {
        mapped[name] = raw;
        continue;
      }
      const node = { ...((raw ?? {}) as Record<string, unknown>) };
      const device =
        "device" in node ? deviceOf(node.device, ["nodes", name, "device"]) : groupDevice.get(name);
      // linux is wirelab's default device: not written again.
      if (device && device !== "linux") node.device = device;
      else delete node.device;
      if (!("kind" in node) && (device || (!defaultDevice && provider === "libvirt")))
        node.kind = kindForProvider;
      mapped[name] = node;
    }
    out.nodes = mapped;
  }
  return out;
}

/** A netlab group as wirelab uses it: its members and their device. */
interface NetlabGroup {
  readonly name: string;
  readonly members: readonly string[];
  readonly device?: unknown;
}

/**
 * netlab's `groups` (netlab docs, "Groups"): a map of group names to a map
 * with `members` (and attributes), or to a list of members; keys starting
 * with `_` are settings of the groups themselves (`_auto_create`), not
 * groups. Anything else is a problem at its place.
 */
function netlabGroups(raw: unknown, problems: Diagnostic[]): NetlabGroup[] {
  if (raw === null || raw === undefined) return [];
  if (typeof raw !== "object" || Array.isArray(raw)) {
    problems.push({
      code: "bad-type",
      message: `netlab "groups" must be a map of group names to members, got ${describe(raw)}`,
      path: ["groups"],
    });
    return [];
  }
  const groups: NetlabGroup[] = [];
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (name.startsWith("_")) continue;
    const path = ["groups", name];
    const members = (list: unknown, at: (string | number)[]): string[] => {
      if (list === undefined || list === null) return [];
      if (!Array.isArray(list)) {
        problems.push({
          code: "bad-type",
          message: `members of netlab group "${name}" must be a list of node names, got ${describe(list)}`,
          path: at,
        });
        return [];
      }
      return list.filter((m): m is string => typeof m === "string");
    };
    if (Array.isArray(value)) {
      groups.push({ name, members: members(value, path) });
    } else if (value && typeof value === "object") {
      const group = value as Record<string, unknown>;
      for (const key of Object.keys(group)) {
        if (key !== "members" && key !== "device") {
          problems.push({
            code: "unsupported",
            message: `netlab group attribute "${key}" is not mapped (only members and device are); set it on each node`,
            path: [...path, key],
            atKey: true,
          });
        }
      }
      groups.push({
        name,
        members: members(group.members, [...path, "members"]),
        ...("device" in group ? { device: group.device } : {}),
      });
    } else if (value !== null) {
      problems.push({
        code: "bad-type",
        message: `netlab group "${name}" must be a map (members, device) or a list of members, got ${describe(value)}`,
        path,
      });
    }
  }
  return groups;
}

function describe(v: unknown): string {
  return Array.isArray(v) ? "a list" : v === null ? "nothing" : `${typeof v} ${JSON.stringify(v)}`;
}
