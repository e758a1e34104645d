/**
 * netlab topology files read directly (netlab docs, "Lab Topology
 * Reference"). wirelab's own format already takes netlab's `nodes` and
 * `links` forms; a file is treated as netlab's when it has one of the keys
 * only netlab has: `provider`, `module`, `groups`, `defaults.device`, or a
 * node `device`. Those are mapped here, in place (paths do not move, so
 * problems are located as they are):
 *
 * - `device: linux` → a `linux` node (a namespace) with `provider: clab` or
 *   none, a `vm` node (wirelab's guest) with `provider: libvirt`; any other
 *   device (a vendor image) is an error at its place;
 * - `groups: { NAME: { members: [...], device: ... } }` → the device of the
 *   members that set none; other group attributes are errors;
 * - `module` (routing protocols) is an error: wirelab routes statically.
 */
import type { Diagnostic } from "../errors.js";

const NETLAB_ONLY = ["provider", "module", "groups"];

/** Whether parsed YAML uses keys only netlab has. */
export function isNetlabTopology(data: unknown): boolean {
  if (!data || typeof data !== "object") return false;
  const d = data as Record<string, unknown>;
  if (NETLAB_ONLY.some((k) => k in d) || "defaults.device" in d) return true;
  const defaults = d.defaults as Record<string, unknown> | undefined;
  if (defaults && typeof defaults === "object" && "device" in defaults) return true;
  const nodes = d.nodes;
  return (
    !!nodes &&
    typeof nodes === "object" &&
    !Array.isArray(nodes) &&
    Object.values(nodes as Record<string, unknown>).some(
      (n) => !!n && typeof n === "object" && "device" in (n as object),
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
  const kindOf = (device: unknown, path: (string | number)[]): string | undefined => {
    if (device === "linux") return provider === "libvirt" ? "vm" : "linux";
    problems.push({
      code: "unsupported",
      message: `netlab device "${String(device)}" needs its vendor image; wirelab runs linux namespaces and VMs (device: linux), or a VM with "image:" in a wirelab topology`,
      path,
    });
    return undefined;
  };
  const defaults = data.defaults as Record<string, unknown> | undefined;
  let defaultKind: string | undefined;
  if (defaults && typeof defaults === "object" && "device" in defaults) {
    const { device, ...rest } = defaults;
    defaultKind = kindOf(device, dotted ? ["defaults.device"] : ["defaults", "device"]);
    out.defaults = { ...rest, ...(defaultKind ? { kind: defaultKind } : {}) };
  }
  const groupKind = new Map<string, string>();
  if ("groups" in data) {
    delete out.groups;
    for (const [g, raw] of Object.entries((data.groups as Record<string, unknown>) ?? {})) {
      const group = (raw ?? {}) as Record<string, unknown>;
      for (const key of Object.keys(group)) {
        if (key !== "members" && key !== "device") {
          problems.push({
            code: "unsupported",
            message: `netlab group attribute "${key}" is not mapped (only members and device are); set it on each node`,
            path: ["groups", g, key],
            atKey: true,
          });
        }
      }
      const kind = "device" in group ? kindOf(group.device, ["groups", g, "device"]) : undefined;
      for (const m of (group.members as unknown[]) ?? []) {
        if (typeof m === "string" && kind) groupKind.set(m, kind);
      }
    }
  }
  const nodes = data.nodes;
  if (nodes && typeof nodes === "object") {
    const entries: [string, unknown][] = Array.isArray(nodes)
      ? nodes.map((n) => [String(n), {}])
      : Object.entries(nodes as Record<string, unknown>);
    const mapped: Record<string, unknown> = {};
    for (const [name, raw] of entries) {
      const node = { ...((raw ?? {}) as Record<string, unknown>) };
      if ("device" in node) {
        const kind = kindOf(node.device, ["nodes", name, "device"]);
        delete node.device;
        if (kind) node.kind = kind;
      } else if (!("kind" in node) && groupKind.has(name)) {
        node.kind = groupKind.get(name);
      } else if (!("kind" in node) && !defaultKind && provider === "libvirt") {
        node.kind = "vm";
      }
      mapped[name] = node;
    }
    out.nodes = mapped;
  }
  return out;
}
