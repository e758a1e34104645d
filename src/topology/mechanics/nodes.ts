/**
 * netlab's node attributes in wirelab's terms (netlab docs, "Nodes"):
 * `provider` (clab: a namespace, libvirt: a VM, netlab's multi-provider
 * labs per node too), `device` (frr and linux run; none is a host),
 * `role`, `cpu`, and the attributes of netlab's images and Ansible that
 * wirelab has no use for (noted, not silently dropped). A wirelab node's
 * `kind` wins over a provider.
 */

import { isPlainObject } from "../origins.js";
import { deviceSchema } from "../schema.js";
import { describe, type MechanicsContext, report } from "./context.js";

/** netlab providers and the node kind each stands for. */
const PROVIDER_KINDS: Readonly<Record<string, "linux" | "vm">> = { clab: "linux", libvirt: "vm" };

/** The devices wirelab runs, and netlab's `none` (a device netlab does not configure): a host. */
const DEVICES = [...deviceSchema.options, "none"];

/** netlab node attributes of its images, providers and Ansible, noted as not used. */
const NOT_USED: Readonly<Record<string, string>> = {
  box: "the image is not used: wirelab runs the host's programs (Debian's FRR 8.4 for routers)",
  mgmt: "management addresses are wirelab's own (namespaces have none; VMs use QEMU's user network)",
  clab: "containerlab settings are not used (wirelab is not containerlab)",
  libvirt: "libvirt settings are not used (wirelab runs QEMU itself)",
  skip_config: "every part of the configuration is applied",
};

/** netlab's devices (netlab's `netsim/devices/`): a node's settings for another device are not its own. */
const NETLAB_DEVICES = new Set(
  "arubacx asav cat8000v cisco8000v crpd csr cumulus cumulus_nvue dellos10 eos fortios iol ioll2 ios iosv iosvl2 iosxr junos netscaler nxos openbsd routeros routeros7 sonic srlinux sros srsim vjunos-router vjunos-switch vmx vptx vsrx vyos xr".split(
    " ",
  ),
);

/** Maps every node's netlab attributes and checks its device. */
export function mapNodes(data: Record<string, unknown>, ctx: MechanicsContext): void {
  const nodes = data.nodes as Record<string, unknown>;
  const provider = topologyProvider(data, ctx);
  for (const [name, raw] of Object.entries(nodes)) {
    if (!isPlainObject(raw)) continue;
    const at = ["nodes", name];
    const changes: Record<string, unknown> = {};
    const device = raw.device;
    if (device === undefined) {
      if (ctx.format === "netlab")
        report(
          ctx,
          data,
          at,
          "bad-value",
          `node "${name}" has no device, and netlab has no default one: give it "device: frr" or "device: linux", set defaults.device, or run with -d DEVICE (or NETLAB_DEVICE)`,
          true,
        );
    } else if (typeof device !== "string" || !DEVICES.includes(device)) {
      report(ctx, data, [...at, "device"], "unsupported", badDevice(device));
      changes.device = undefined;
    } else if (device === "none") changes.device = "linux";
    const own = raw.provider;
    if (own !== undefined) {
      const kind = typeof own === "string" ? PROVIDER_KINDS[own] : undefined;
      if (!kind)
        report(
          ctx,
          data,
          [...at, "provider"],
          "unsupported",
          `provider ${describe(own)} is not mapped; use clab (a namespace) or libvirt (a VM)`,
        );
      else if (raw.kind === undefined) changes.kind = kind;
      changes.provider = undefined;
    } else if (provider && raw.kind === undefined) changes.kind = provider;
    if (raw.cpu !== undefined && raw.cpus === undefined) {
      changes.cpus = raw.cpu;
      changes.cpu = undefined;
    }
    if (ctx.format === "netlab" && raw.image !== undefined) {
      ctx.notes.push(
        `node "${name}": image ${describe(raw.image)} is not used: wirelab runs the host's programs (Debian's FRR 8.4 for routers)`,
      );
      changes.image = undefined;
    }
    for (const [key, why] of Object.entries(NOT_USED))
      if (raw[key] !== undefined) {
        ctx.notes.push(`node "${name}": ${key}: ${why}`);
        changes[key] = undefined;
      }
    for (const key of Object.keys(raw))
      if (NETLAB_DEVICES.has(key)) {
        ctx.notes.push(`node "${name}": ${key} settings are for netlab's ${key} device, not used`);
        changes[key] = undefined;
      } else if (
        key.startsWith("ansible_") ||
        key.startsWith("netlab_") ||
        (key.startsWith("_") && key !== "_")
      ) {
        ctx.notes.push(`node "${name}": ${key} (an Ansible or netlab setting) is not used`);
        changes[key] = undefined;
      }
    if (Object.keys(changes).length)
      nodes[name] = ctx.origins.copy(raw, changes, ctx.origins.get(raw, "provider"));
  }
  delete data.provider;
}

/** The message of a device wirelab does not run. */
export function badDevice(device: unknown): string {
  return `device ${typeof device === "string" ? `"${device}"` : describe(device)} needs its vendor's image; wirelab runs the devices ${deviceSchema.options.join(" and ")} (and "none", a host), in namespaces or VMs`;
}

/** The node kind the topology's `provider` (or `defaults.provider`) gives its nodes. */
function topologyProvider(
  data: Record<string, unknown>,
  ctx: MechanicsContext,
): "linux" | "vm" | undefined {
  const defaults = isPlainObject(data.defaults) ? data.defaults : {};
  const written = data.provider ?? defaults.provider;
  if (written === undefined) return undefined;
  const kind = typeof written === "string" ? PROVIDER_KINDS[written] : undefined;
  if (!kind)
    report(
      ctx,
      data,
      data.provider !== undefined ? ["provider"] : ["defaults", "provider"],
      "unsupported",
      `netlab provider ${describe(written)} is not mapped; use clab (namespaces) or libvirt (VMs)`,
    );
  return kind;
}

/**
 * Whether a node is a router by netlab's rules: its role if it says one,
 * else its device's (frr: a router; linux and none: hosts).
 */
export function isRouterNode(node: Record<string, unknown>): boolean {
  if (node.role === "router") return true;
  if (node.role === "host") return false;
  return node.device === "frr";
}
