/**
 * Whose file a topology is: netlab's or wirelab's. Both formats share one
 * vocabulary (nodes and links, `module`, `bgp.as`, groups, dotted keys);
 * what differs is how the rest is filled in: netlab's files get netlab's
 * rules (node IDs give LAN and loopback addresses, p2p ends are numbered by
 * node name, routers get loopbacks, hosts get routes to the routers), so a
 * file netlab reads means the same here.
 *
 * A file is wirelab's when it uses a key only wirelab has (`routing: static`,
 * a node's `kind`, `forwarding`, `routes`, a link's `transport`, `relay`,
 * `impair`, a `from`/`ping` test, …), else netlab's when it uses one only
 * netlab has (`provider`, `module`, `groups`, `plugin`, `message`, a node's
 * `id`, `role` or module attributes, a dotted key, a device wirelab does
 * not run, …); a file of nodes and links alone is wirelab's.
 */
import { isPlainObject } from "./origins.js";
import { deviceSchema } from "./schema.js";

/** Node keys only wirelab's files have. */
const WIRELAB_NODE_KEYS = [
  "kind",
  "forwarding",
  "routes",
  "exec",
  "cpus",
  "kernel",
  "initrd",
  "append",
  "nic",
  "start",
  "daemons",
];
/** Link keys only wirelab's files have. */
const WIRELAB_LINK_KEYS = ["transport", "relay", "impair", "endpoints"];
/** Top-level keys only netlab's files have. */
const NETLAB_KEYS = [
  "provider",
  "module",
  "groups",
  "plugin",
  "message",
  "prefix",
  "vrfs",
  "vlans",
  "bgp",
  "ospf",
  "isis",
  "version",
  "tools",
  "components",
];
/** Node keys only netlab's files have. */
const NETLAB_NODE_KEYS = [
  "id",
  "role",
  "module",
  "group",
  "provider",
  "box",
  "mtu",
  "bgp",
  "ospf",
  "isis",
  "routing",
  "cpu",
  "mgmt",
  "unmanaged",
  "vrfs",
  "vlans",
];
/** Link keys only netlab's files have. */
const NETLAB_LINK_KEYS = [
  "interfaces",
  "pool",
  "role",
  "bandwidth",
  "mtu",
  "unnumbered",
  "shutdown",
  "ra",
  "tc",
  "bgp",
  "ospf",
  "isis",
  "vlan",
  "vrf",
  "gateway",
  "bridge",
  "disable",
];

const WIRELAB_DEVICES: readonly unknown[] = deviceSchema.options;

/**
 * Decides a parsed file's format (containerlab's is told apart before).
 *
 * @param data - the file as parsed (dotted keys not yet expanded)
 */
export function topologyFormat(data: unknown): "netlab" | "wirelab" {
  if (!isPlainObject(data)) return "wirelab";
  const nodes = nodeMaps(data.nodes);
  const links = Array.isArray(data.links) ? data.links.filter(isPlainObject) : [];
  const has = (o: Record<string, unknown>, keys: readonly string[]) =>
    keys.some((k) => k in o || Object.keys(o).some((x) => x.startsWith(`${k}.`)));
  const tests = isPlainObject(data.validate)
    ? Object.values(data.validate)
    : Array.isArray(data.validate)
      ? data.validate
      : [];
  const wirelab =
    typeof data.routing === "string" ||
    nodes.some(
      (n) => has(n, WIRELAB_NODE_KEYS) || (typeof n.config === "string" && n.device === "frr"),
    ) ||
    links.some((l) => has(l, WIRELAB_LINK_KEYS)) ||
    tests.some((t) => isPlainObject(t) && ("from" in t || "ping" in t));
  if (wirelab) return "wirelab";
  const defaults = isPlainObject(data.defaults) ? data.defaults : undefined;
  const netlab =
    has(data, NETLAB_KEYS) ||
    Object.keys(data).some((k) => k.includes(".")) ||
    (defaults !== undefined &&
      (Object.keys(defaults).some(
        (k) => !["kind", "device", "forwarding", "loopback"].includes(k),
      ) ||
        (defaults.device !== undefined && !WIRELAB_DEVICES.includes(defaults.device)))) ||
    nodes.some(
      (n) =>
        has(n, NETLAB_NODE_KEYS) ||
        Object.keys(n).some((k) => k.includes(".")) ||
        (n.device !== undefined && !WIRELAB_DEVICES.includes(n.device)),
    ) ||
    links.some((l) => has(l, NETLAB_LINK_KEYS) || Object.keys(l).some((k) => k.includes("."))) ||
    tests.some((t) => isPlainObject(t) && ("nodes" in t || "plugin" in t || "wait" in t));
  return netlab ? "netlab" : "wirelab";
}

function nodeMaps(nodes: unknown): Record<string, unknown>[] {
  if (!isPlainObject(nodes)) return [];
  return Object.values(nodes).filter(isPlainObject);
}
