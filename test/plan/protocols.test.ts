/**
 * What the protocols stage decides from netlab's module attributes, one rule
 * at a time (the golden FRR files show the whole result; these name the rule).
 */
import { describe, expect, it } from "vitest";
import { planText } from "../../src/plan/load-plan.js";
import type { LabPlan, NodePlan } from "../../src/plan/types.js";

const plan = (lines: string[]): LabPlan => planText(lines.join("\n"), "t.yml", { env: {} }).plan;
const node = (p: LabPlan, name: string): NodePlan => {
  const n = p.nodes.find((x) => x.name === name);
  if (!n) throw new Error(`no node ${name}`);
  return n;
};
const problems = (lines: string[]): string => {
  try {
    plan(lines);
    return "";
  } catch (e) {
    return (e as Error).message;
  }
};

describe("OSPF", () => {
  const p = plan([
    "module: [ospf]",
    "defaults.device: frr",
    "ospf.timers.hello: 1",
    "nodes:",
    "  r1: { ospf.area: 0.0.0.1 }",
    "  r2: { ospf.router_id: 10.99.0.2 }",
    "  r3:",
    "  h: { device: linux }",
    "links:",
    "- r1-r2",
    "- [r1, r2, r3]",
    "- r3-h",
    "- { r2: {}, r3: {}, ospf: { cost: 40, timers.dead: 9 } }",
    "- { r3: {}, ospf: false }",
  ]);

  it("takes the router ID from the loopback unless one is given", () => {
    expect(node(p, "r1").protocols?.ospf?.router_id).toBe("10.0.0.1");
    expect(node(p, "r2").protocols?.ospf?.router_id).toBe("10.99.0.2");
  });

  it("runs p2p links as point-to-point, LANs as broadcast", () => {
    expect(node(p, "r1").interfaces[0]?.ospf?.network_type).toBe("point-to-point");
    expect(node(p, "r1").interfaces[1]?.ospf?.network_type).toBeUndefined();
  });

  it("puts an interface in the node's area, a link's area over it", () => {
    expect(node(p, "r1").interfaces.map((i) => i.ospf?.area)).toEqual(["0.0.0.1", "0.0.0.1"]);
    expect(node(p, "r2").interfaces[0]?.ospf?.area).toBe("0.0.0.0");
  });

  it("makes stub networks (links to hosts only) passive, and keeps OSPF off links with ospf: false", () => {
    const r3 = node(p, "r3");
    expect(r3.interfaces.map((i) => [i.ifname, i.ospf?.passive])).toEqual([
      ["eth1", false],
      ["eth2", true],
      ["eth3", false],
      ["eth4", undefined],
    ]);
  });

  it("derives a missing dead interval (four hellos) or hello (a quarter of the dead, Python's rounding), per link", () => {
    expect(node(p, "r1").interfaces[0]?.ospf?.timers).toEqual({ hello: 1, dead: 4 });
    // A link's timers replace the node's: only dead is given here.
    expect(node(p, "r2").interfaces[2]?.ospf).toMatchObject({
      cost: 40,
      timers: { hello: 2, dead: 9 },
    });
    const ten = plan([
      "module: [ospf]",
      "defaults.device: frr",
      "nodes: [a, b]",
      "links: [{ a: {}, b: {}, ospf.timers.dead: 10 }]",
    ]);
    expect(node(ten, "a").interfaces[0]?.ospf?.timers).toEqual({ hello: 2, dead: 10 });
  });

  it("runs OSPFv3 only where there is IPv6", () => {
    expect(node(p, "r1").protocols?.ospf?.af).toEqual({ ipv4: true });
  });

  it("refuses an area that is not a dotted quad or number, at the key", () => {
    expect(
      problems(["module: [ospf]", "defaults.device: frr", "nodes:", "  r: { ospf.area: x }"]),
    ).toMatch(/t\.yml:4:\d+: .*area/);
  });
});

describe("BGP", () => {
  const p = plan([
    "module: [bgp]",
    "defaults.device: frr",
    "nodes:",
    "  rr: { bgp.as: 65000, bgp.rr: true }",
    "  c1: { bgp.as: 65000 }",
    "  c2: { bgp.as: 65000 }",
    "  x: { bgp.as: 65100 }",
    "  y: { bgp.as: 65200, bgp.local_as: 65201 }",
    "links:",
    "- rr-c1",
    "- rr-c2",
    "- c1-x",
    "- { c2: {}, y: {}, prefix: { ipv4: true, ipv6: true } }",
  ]);
  const neighbors = (name: string) =>
    (node(p, name).protocols?.bgp?.neighbors ?? []).map((n) => [n.name, n.type, n.as]);

  it("peers route reflector clients with the reflector only, from their loopbacks", () => {
    expect(neighbors("c1")).toEqual([
      ["rr", "ibgp", 65000],
      ["x", "ebgp", 65100],
    ]);
    const toRr = node(p, "c1").protocols?.bgp?.neighbors[0];
    expect(toRr).toMatchObject({ ipv4: "10.0.0.1", update_source: "lo", next_hop_self: "ebgp" });
    expect(toRr?.rr_client).toBeUndefined();
  });

  it("marks the reflector's IBGP neighbours as its clients", () => {
    expect(neighbors("rr")).toEqual([
      ["c1", "ibgp", 65000],
      ["c2", "ibgp", 65000],
    ]);
    expect(node(p, "rr").protocols?.bgp?.neighbors.every((n) => n.rr_client)).toBe(true);
  });

  it("runs EBGP over the link's addresses, and over IPv6 link-local addresses on an unnumbered link", () => {
    expect(node(p, "c1").protocols?.bgp?.neighbors[1]?.ipv4).toBe(
      node(p, "x").interfaces[0]?.ipv4?.split("/")[0],
    );
    const toY = node(p, "c2").protocols?.bgp?.neighbors.find((n) => n.name === "y");
    expect(toY).toMatchObject({ ipv6: true, local_if: "eth2", as: 65201 });
  });

  it("presents the local AS to EBGP peers and keeps the real one for its own AS", () => {
    const toC2 = node(p, "y").protocols?.bgp?.neighbors[0];
    expect(toC2).toMatchObject({ name: "c2", as: 65000, local_as: 65201 });
    expect(node(p, "y").protocols?.bgp?.as).toBe(65200);
  });

  it("announces the loopback by default", () => {
    expect(node(p, "x").protocols?.bgp?.advertise.ipv4).toEqual(["10.0.0.4/32"]);
  });

  it("says which node has no AS, at its module", () => {
    expect(
      problems(["module: [bgp]", "defaults.device: frr", "nodes:", "  a: { bgp.as: 1 }", "  b:"]),
    ).toMatch(/"b" runs BGP but has no AS number/);
  });
});

describe("IS-IS", () => {
  const p = plan([
    "module: [isis]",
    "defaults.device: frr",
    "nodes:",
    "  a: { isis.type: level-1 }",
    "  b: { id: 20 }",
    "  c: { isis.net: 49.0005.0000.0000.0099.00 }",
    "links: [a-b, b-c]",
  ]);

  it("builds the NET from the area and the node ID", () => {
    expect(node(p, "b").protocols?.isis).toMatchObject({
      area: "49.0001",
      net: "49.0001.0000.0000.0020.00",
      type: "level-2",
    });
    expect(node(p, "c").protocols?.isis?.net).toBe("49.0005.0000.0000.0099.00");
  });

  it("keeps a node's level, and runs p2p links as point-to-point circuits", () => {
    expect(node(p, "a").protocols?.isis?.type).toBe("level-1");
    expect(node(p, "a").interfaces[0]?.isis).toMatchObject({
      passive: false,
      network_type: "point-to-point",
    });
  });
});

describe("static routes (routing module)", () => {
  const p = plan([
    "module: [routing]",
    "defaults.device: frr",
    "prefix.far: { ipv4: 198.51.100.0/24 }",
    "routing.static.common: [{ ipv4: 203.0.113.0/24, nexthop.discard: true }]",
    "nodes:",
    "  a:",
    "    routing.static:",
    "    - { prefix: far, nexthop.node: b }",
    "    - { node: c, nexthop.node: b }",
    "    - { include: common }",
    "  b:",
    "  c:",
    "links: [a-b, b-c]",
  ]);

  it("resolves a next-hop node to its address on the shared link, a named prefix and a node to their prefixes", () => {
    const b = node(p, "b").interfaces[0]?.ipv4?.split("/")[0];
    expect(node(p, "a").protocols?.static).toEqual([
      { family: "ipv4", prefix: "198.51.100.0/24", nexthop: { via: b, dev: "eth1" } },
      { family: "ipv4", prefix: "10.0.0.3/32", nexthop: { via: b, dev: "eth1" } },
      { family: "ipv4", prefix: "203.0.113.0/24", nexthop: { discard: true } },
    ]);
  });

  it("takes a next-hop node that is not adjacent at its loopback (a recursive next hop), and says when there is no such node", () => {
    const route = (target: string) => [
      "module: [routing]",
      "defaults.device: frr",
      "nodes:",
      `  a: { routing.static: [{ ipv4: 192.0.2.0/24, nexthop.node: ${target} }] }`,
      "  b:",
      "  c:",
      "links: [a-b, b-c]",
    ];
    expect(node(plan(route("c")), "a").protocols?.static).toEqual([
      { family: "ipv4", prefix: "192.0.2.0/24", nexthop: { via: "10.0.0.3" } },
    ]);
    expect(problems(route("zz"))).toMatch(/t\.yml:4:\d+: .*next hop "zz" is not a node/);
  });
});
