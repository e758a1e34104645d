import { describe, expect, it } from "vitest";
import { TopologyError } from "../../src/errors.js";
import { planText } from "../../src/plan/load-plan.js";
import { parseTopology } from "../../src/topology/load.js";
import type { LoadOptions } from "../../src/topology/mechanics/index.js";

/** Loads text with defaults files from `files` (by path) and no environment. */
const load = (text: string, files: Record<string, string> = {}, opts: LoadOptions = {}) =>
  parseTopology(text, "lab/t.yml", { env: {}, readFile: (p) => files[p], ...opts });

/** Every problem as `file:line:col code message`. */
const problems = (
  text: string,
  files: Record<string, string> = {},
  opts: LoadOptions = {},
): string[] => {
  try {
    planText(text, "lab/t.yml", { env: {}, readFile: (p) => files[p], ...opts });
    return [];
  } catch (e) {
    if (!(e instanceof TopologyError)) throw e;
    return e.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.code} ${d.message}`);
  }
};

const node = (
  text: string,
  name: string,
  files: Record<string, string> = {},
  opts: LoadOptions = {},
) => load(text, files, opts).topology.nodes.find((n) => n.name === name);

describe("netlab's dotted keys", () => {
  it("are nested maps anywhere: top level, defaults, nodes, links, merged with what is written beside them", () => {
    const text = [
      "defaults.device: frr",
      "module: [ospf, bgp]",
      "bgp.as: 65000",
      "nodes:",
      "  r1:",
      "    bgp.as: 65001",
      "    bgp: { rr: true }",
      "    ospf.area: 0.0.0.1",
      "  r2:",
      "links:",
      "- r1:",
      "  r2:",
      "  ospf.network_type: point-to-point",
      "  ospf.cost: 7",
    ].join("\n");
    const t = load(text).topology;
    const r1 = t.nodes.find((n) => n.name === "r1");
    expect(r1?.bgp).toMatchObject({ as: 65001, rr: true });
    expect(r1?.ospf?.area).toBe("0.0.0.1");
    expect(t.nodes.find((n) => n.name === "r2")?.bgp?.as).toBe(65000);
    expect(t.links[0]?.ospf).toEqual({ network_type: "point-to-point", cost: 7 });
  });

  it("are shown where written when their value is wrong", () => {
    expect(
      problems("defaults.device: frr\nmodule: [bgp]\nnodes:\n  r1:\n    bgp.as: sixty\n"),
    ).toEqual([expect.stringMatching(/^lab\/t\.yml:5:13 bad-value .*"sixty" is not an AS number/)]);
    expect(
      problems("defaults.device: frr\nmodule: [ospf]\nnodes:\n  r1:\n    ospf.bfd: true\n"),
    ).toEqual([
      "lab/t.yml:5:5 unsupported ospf.bfd needs netlab's bfd module, which wirelab does not run",
    ]);
  });
});

describe("netlab's defaults files (defaults.sources.extra, topology-defaults.yml)", () => {
  const files = {
    "lab/wait.yml": "const.validate:\n  ospf_adj: 40\nbgp.as: 65100\n",
    "lab/second.yml": "const.validate.ospf_adj: 99\ndevice: frr\n",
    "lab/topology-defaults.yml": "groups:\n  probes:\n    members: [x1]\n    bgp.as: 65500\n",
  };
  const text = [
    "defaults.sources.extra: [ wait.yml, second.yml ]",
    "module: [bgp]",
    "nodes: [dut, x1]",
    "links: [dut-x1]",
    "validate:",
    `  adj: { nodes: [dut], wait: ospf_adj, plugin: "bgp_neighbor(node.bgp.neighbors, 'x1')" }`,
  ].join("\n");

  it("are merged under the topology's defaults, an earlier file winning over a later", () => {
    const t = load(text, files).topology;
    expect(t.checks[0]?.wait).toBe(40);
    expect(t.nodes.map((n) => [n.name, n.device, n.bgp?.as])).toEqual([
      ["dut", "frr", 65100],
      ["x1", "frr", 65500],
    ]);
  });

  it("locate their own problems in their own file", () => {
    expect(
      problems(text, { ...files, "lab/second.yml": "device: frr\nbgp.rr_mesh: [1]\n" }),
    ).toEqual([expect.stringMatching(/^lab\/second\.yml:2:14 bad-type /)]);
    expect(problems(text, { ...files, "lab/second.yml": "device: [frr\n" })).toContainEqual(
      expect.stringMatching(/^lab\/second\.yml:2:\d+ yaml-syntax/),
    );
  });

  it("note a missing file, as netlab skips it", () => {
    const r = load("defaults.sources.extra: [ nothere.yml ]\ndefaults.device: linux\nnodes: [a]\n");
    expect(r.notes).toEqual([
      "defaults file lab/nothere.yml (defaults.sources.extra) does not exist; skipped, as netlab does",
    ]);
  });
});

describe("the device of nodes that name none", () => {
  const text = "defaults.device: linux\nmodule: [ospf]\nnodes:\n  a: { device: frr }\n  b:\n";
  it("is -d, else NETLAB_DEVICE, else defaults.device", () => {
    expect(node(text, "b")?.device).toBe("linux");
    expect(node(text, "b", {}, { env: { NETLAB_DEVICE: "frr" } })?.device).toBe("frr");
    expect(node(text, "b", {}, { env: { NETLAB_DEVICE: "linux" }, device: "frr" })?.device).toBe(
      "frr",
    );
    expect(node(text, "a", {}, { device: "linux" })?.device).toBe("frr");
  });

  it("makes none a host, and refuses a vendor's device once, where it is written", () => {
    expect(node("defaults.device: none\nnodes: [a]\n", "a")?.device).toBe("linux");
    expect(problems("defaults.device: eos\nnodes: [a, b]\n")).toEqual([
      `lab/t.yml:1:18 unsupported device "eos" needs its vendor's image; wirelab runs the devices linux and frr (and "none", a host), in namespaces or VMs`,
    ]);
  });
});

describe("netlab's groups", () => {
  it("take members by name, wildcard, regular expression and group, and a node's own group", () => {
    const text = [
      "defaults.device: linux",
      "groups:",
      "  edge: { members: [ 'h*' ], mtu: 1400 }",
      "  core: { members: [ '~r[0-9]+', edge ], role: host }",
      "  spare: { mtu: 1300 }",
      "nodes:",
      "  r1: {}",
      "  r22: {}",
      "  h1: {}",
      "  x: { group: spare }",
    ].join("\n");
    const t = load(text).topology;
    expect(t.nodes.map((n) => [n.name, n.mtu])).toEqual([
      ["r1", undefined],
      ["r22", undefined],
      ["h1", 1400],
      ["x", 1300],
    ]);
  });

  it("give devices and modules first, then attributes: a node's own win, an inner group's over an outer one's", () => {
    const text = [
      "module: [ospf]",
      "groups:",
      "  outer: { members: [inner], device: linux, ospf.area: 0.0.0.9, mtu: 1000 }",
      "  inner: { members: [a], device: frr, module: [bgp], bgp.as: 65001, mtu: 2000 }",
      "  hosts: { device: linux, mtu: 1000 }",
      "nodes:",
      "  a: { mtu: 3000 }",
      "  b: { group: hosts }",
    ].join("\n");
    const t = load(text).topology;
    const a = t.nodes.find((n) => n.name === "a");
    expect([a?.device, a?.modules, a?.bgp?.as, a?.mtu, a?.ospf]).toEqual([
      "frr",
      ["bgp"],
      65001,
      3000,
      undefined,
    ]);
    const b = t.nodes.find((n) => n.name === "b");
    expect([b?.device, b?.modules, b?.mtu]).toEqual(["linux", [], 1000]);
  });

  it("of a BGP AS (as65000), an 'all' group, bgp.as_list and _auto_create", () => {
    const text = [
      "defaults.device: frr",
      "module: [bgp]",
      "bgp.as_list:",
      "  65000: { members: [r1, r2], rr: [r1] }",
      "  65100: { members: [x1] }",
      "groups:",
      "  _auto_create: true",
      "  extra: [x1]",
      "  as65000: { bgp.advertise_loopback: false }",
      "  all: { mtu: 1450 }",
      "nodes: [r1, r2]",
    ].join("\n");
    const t = load(text).topology;
    expect(
      t.nodes.map((n) => [n.name, n.bgp?.as, n.bgp?.rr, n.bgp?.advertise_loopback, n.mtu]),
    ).toEqual([
      ["r1", 65000, true, false, 1450],
      ["r2", 65000, undefined, false, 1450],
      ["x1", 65100, undefined, true, 1450],
    ]);
  });

  it("say what is wrong where it is written", () => {
    const text = [
      "defaults.device: linux",
      "groups:",
      "  g1: { members: [nope] }",
      "  g2: { members: [g3] }",
      "  g3: { members: [g2] }",
      "  a: [b]",
      "  g4: { members: [b], config: [ospf.j2] }",
      "nodes: [a, b]",
    ].join("\n");
    expect(problems(text).map((p) => p.split(" ").slice(0, 2).join(" "))).toEqual([
      "lab/t.yml:3:19 unknown-node",
      "lab/t.yml:4:3 bad-value",
      "lab/t.yml:6:3 duplicate-name",
      "lab/t.yml:7:23 unsupported",
    ]);
  });
});

describe("netlab's modules", () => {
  it("run on routers by default, never on hosts; global attributes and defaults go to the nodes that run them", () => {
    const text = [
      "module: [ospf, bgp]",
      "defaults.bgp.as: 65000",
      "ospf.area: 0.0.0.2",
      "bgp.ebgp_role: outside",
      "nodes:",
      "  r1: { device: frr }",
      "  r2: { device: frr, module: [bgp], bgp.as: 65001 }",
      "  h1: { device: linux }",
    ].join("\n");
    const t = load(text).topology;
    const by = (n: string) => t.nodes.find((x) => x.name === n);
    expect(by("r1")?.modules).toEqual(["ospf", "bgp"]);
    expect(by("r1")?.ospf?.area).toBe("0.0.0.2");
    expect(by("r1")?.bgp?.as).toBe(65000);
    expect(by("r2")?.modules).toEqual(["bgp"]);
    expect(by("r2")?.bgp?.as).toBe(65001);
    expect(by("h1")?.modules).toEqual([]);
    // ebgp_role stays global (netlab's no_propagate).
    expect(t.bgp?.ebgp_role).toBe("outside");
    expect(by("r1")?.bgp).not.toHaveProperty("ebgp_role");
  });

  it("refuse netlab's other modules, modules a device does not run, and attributes of a module a node does not run", () => {
    const text = [
      "nodes:",
      "  r1: { device: frr, module: [ospf, vlan] }",
      "  h1: { device: linux, module: [bgp] }",
      "  r2: { device: frr, module: [ospf], bgp.as: 1 }",
    ].join("\n");
    expect(problems(text).map((p) => p.split(" ").slice(0, 2).join(" "))).toEqual([
      "lab/t.yml:2:37 unsupported",
      "lab/t.yml:3:32 unsupported",
      "lab/t.yml:4:38 bad-value",
    ]);
  });

  it("name the netlab attributes wirelab does not implement, where they are written", () => {
    const text = [
      "defaults.device: frr",
      "module: [ospf, bgp]",
      "plugin: [ bgp.session ]",
      "vrfs: { red: {} }",
      "nodes:",
      "  r1: { bgp.as: 1, bgp.passive: true, ospf.digest: { 1: x } }",
      "  r2: { bgp.as: 2 }",
      "links:",
      "- r1:",
      "  r2:",
      "  vlan.access: red",
    ].join("\n");
    const got = problems(text);
    expect(got.map((p) => p.split(" ").slice(0, 2).join(" "))).toEqual([
      "lab/t.yml:3:11 unsupported",
      "lab/t.yml:4:1 unsupported",
      "lab/t.yml:6:20 unsupported",
      "lab/t.yml:6:39 unsupported",
      "lab/t.yml:11:3 unsupported",
    ]);
    expect(got[2]).toContain("bgp.passive needs netlab's bgp.session plugin");
  });

  it("name them once at the topology's level too, and the import policies, extra loopbacks and numbers read as strings", () => {
    const text = [
      "defaults.device: frr",
      "module: [ospf, bgp, isis]",
      "bgp: { as: 1, confederation: { 65000: { members: [1] } } }",
      "ospf.areas: [ { area: 1 } ]",
      "isis.area: 49.0002",
      "nodes:",
      "  r1: { bgp.import.ospf.policy: beacon }",
      "  r2:",
      "links:",
      "- r1-r2",
      "- { r1: {}, type: loopback }",
    ].join("\n");
    expect(problems(text)).toEqual([
      "lab/t.yml:3:15 unsupported bgp.confederation BGP confederations are not implemented by wirelab",
      "lab/t.yml:4:1 unsupported ospf.areas needs netlab's ospf.areas plugin, which wirelab does not run",
      'lab/t.yml:5:12 bad-type "area": expected a string, got 49.0002; YAML reads it as a number: write it in quotes ("49.0002")',
      'lab/t.yml:7:33 bad-value "policy": "beacon": an import policy needs netlab\'s routing policies, which wirelab does not implement; import without one',
      'lab/t.yml:11:19 unsupported "type": "loopback" (netlab\'s extra loopback interface) is not implemented by wirelab; give the node\'s own loopback the address, or make it a stub link',
    ]);
  });
});

describe("netlab's other keys", () => {
  it("id, message, defaults.interfaces.mtu and const.validate", () => {
    const text = [
      "message: Hello",
      "defaults.device: linux",
      "defaults.interfaces.mtu: 1500",
      "defaults.const.validate: { w: 7 }",
      "nodes:",
      "  a: { id: 42 }",
      "  b: { mtu: 9000 }",
      "validate:",
      "  t: { nodes: [a], wait: w, plugin: ping('b') }",
    ].join("\n");
    const t = load(text).topology;
    expect(t.message).toBe("Hello");
    expect(t.nodes.map((n) => [n.id, n.mtu])).toEqual([
      [42, 1500],
      [undefined, 9000],
    ]);
    expect(t.checks[0]).toMatchObject({ name: "t", wait: 7, plugin: "ping('b')" });
  });

  it("validate tests are checked when loaded: actions, nodes, wait names, plugins and their devices, expressions", () => {
    const text = [
      "defaults.device: linux",
      "nodes: [h1, h2]",
      "validate:",
      "  a: { nodes: [h1] }",
      "  b: { nodes: [h9], plugin: ping('h2') }",
      "  c: { nodes: [h1], wait: later, plugin: ping('h2') }",
      "  d: { nodes: [h1], plugin: ospf_neighbor('1.1.1.1') }",
      "  e: { nodes: [h1], plugin: nope() }",
      "  f: { nodes: [h1], exec: 'ping x', valid: \"'x' in \" }",
      "  g: { nodes: [h1], show: 'ip route json' }",
    ].join("\n");
    expect(problems(text).map((p) => p.split(" ").slice(0, 2).join(" "))).toEqual([
      "lab/t.yml:4:6 bad-value",
      "lab/t.yml:5:16 unknown-node",
      "lab/t.yml:6:27 bad-value",
      "lab/t.yml:7:29 unsupported",
      "lab/t.yml:8:29 unsupported",
      "lab/t.yml:9:44 bad-value",
      "lab/t.yml:10:21 bad-value",
    ]);
  });
});
