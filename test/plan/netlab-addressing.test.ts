import { describe, expect, it } from "vitest";
import { planText } from "../../src/plan/load-plan.js";
import type { LabPlan } from "../../src/plan/types.js";

const plan = (text: string): LabPlan => planText(text, "t.yml", { env: {} }).plan;
const intf = (p: LabPlan, node: string, i = 0) =>
  p.nodes.find((n) => n.name === node)?.interfaces[i];
const lo = (p: LabPlan, node: string) => p.nodes.find((n) => n.name === node)?.loopback;

describe("netlab's addressing rules (netlab files)", () => {
  it("number p2p ends by node name, LAN hosts by node ID, from the p2p and LAN pools", () => {
    const p = plan(
      [
        "defaults.device: frr",
        "nodes: [zz, aa, mm, h]",
        "links:",
        "- zz-aa",
        "- [zz, aa, mm]",
        "- { mm: {}, h: { } }",
      ].join("\n"),
    );
    // p2p: aa < zz, so aa gets .1 although zz is written first.
    expect([intf(p, "zz")?.ipv4, intf(p, "aa")?.ipv4]).toEqual(["10.1.0.2/30", "10.1.0.1/30"]);
    // LAN: host part = node ID (zz 1, aa 2, mm 3).
    expect([intf(p, "zz", 1)?.ipv4, intf(p, "aa", 1)?.ipv4, intf(p, "mm")?.ipv4]).toEqual([
      "172.16.0.1/24",
      "172.16.0.2/24",
      "172.16.0.3/24",
    ]);
    // Routers' loopbacks by ID; h is a router too here (device frr).
    expect(lo(p, "mm")).toEqual({ ipv4: "10.0.0.3/32" });
  });

  it("make a link with a host a LAN, and give hosts no loopback", () => {
    const p = plan(
      "provider: clab\nnodes:\n  r: { device: frr }\n  h: { device: linux }\nlinks: [r-h]\n",
    );
    expect(p.links[0]).toMatchObject({ type: "lan", transport: "bridge" });
    expect([intf(p, "r")?.ipv4, intf(p, "h")?.ipv4]).toEqual(["172.16.0.1/24", "172.16.0.2/24"]);
    expect(lo(p, "h")).toEqual({});
    expect(lo(p, "r")).toEqual({ ipv4: "10.0.0.1/32" });
  });

  it("take written IDs first, the others the lowest free ID in order", () => {
    const p = plan(
      "defaults.device: frr\nnodes:\n  a: { id: 2 }\n  b:\n  c:\nlinks: [[a, b, c]]\n",
    );
    expect(p.nodes.map((n) => n.id)).toEqual([2, 1, 3]);
    expect(p.nodes.map((n) => n.interfaces[0]?.ipv4)).toEqual([
      "172.16.0.2/24",
      "172.16.0.1/24",
      "172.16.0.3/24",
    ]);
  });

  it("number in order when the IDs do not fit the prefix (netlab's sequential allocation)", () => {
    const p = plan(
      "defaults.device: frr\nnodes:\n  a: { id: 100 }\n  b: { id: 50 }\n  c:\nlinks:\n- { a: {}, b: {}, c: {}, prefix: 10.9.9.0/28 }\n",
    );
    expect(p.nodes.map((n) => n.interfaces[0]?.ipv4)).toEqual([
      "10.9.9.1/28",
      "10.9.9.2/28",
      "10.9.9.3/28",
    ]);
  });

  it("IPv6: /64 per link and ::ID on LANs; loopbacks /64 with ::1, or /128 by ID", () => {
    const p = plan(
      [
        "defaults.device: frr",
        "addressing:",
        "  loopback: { ipv6: 2001:db8:0::/48 }",
        "  lan: { ipv6: 2001:db8:1::/48 }",
        "  p2p: { ipv6: 2001:db8:2::/48 }",
        "nodes: [a, b, c]",
        "links: [a-b, a-b-c]",
      ].join("\n"),
    );
    expect(lo(p, "b")).toEqual({ ipv4: "10.0.0.2/32", ipv6: "2001:db8:0:2::1/64" });
    expect([intf(p, "a")?.ipv6, intf(p, "b")?.ipv6]).toEqual([
      "2001:db8:2::1/64",
      "2001:db8:2::2/64",
    ]);
    expect(intf(p, "c")?.ipv6).toBe("2001:db8:1::3/64");
    const host = plan(
      "defaults.device: frr\naddressing:\n  loopback: { ipv4: false, ipv6: 2001:db8:1::/48, prefix6: 128 }\nnodes: [a, b]\n",
    );
    expect(lo(host, "b")).toEqual({ ipv6: "2001:db8:1::2/128" });
  });

  it("unnumbered links lend each node's IPv4 loopback and use IPv6 link-local addresses", () => {
    const p = plan(
      [
        "defaults.device: frr",
        "addressing:",
        "  core: { unnumbered: true }",
        "nodes: [a, b]",
        "links:",
        "- { a: {}, b: {}, pool: core }",
        "- { a: {}, b: {}, unnumbered: true }",
        "- { a: { ipv4: true }, b: { ipv4: true }, prefix: { ipv4: true, ipv6: true } }",
      ].join("\n"),
    );
    for (const k of [0, 1])
      expect(intf(p, "a", k)).toMatchObject({ ipv4: "10.0.0.1/32", unnumbered: { ipv4: true } });
    expect(intf(p, "a", 2)).toMatchObject({
      ipv4: "10.0.0.1/32",
      unnumbered: { ipv4: true, ipv6: true },
    });
    expect(intf(p, "a", 2)?.ipv6).toBeUndefined();
  });

  it("take the role's pool, a link's pool, a named prefix, and no prefix at all", () => {
    const p = plan(
      [
        "defaults.device: frr",
        "addressing:",
        "  transit: { ipv4: 192.168.0.0/16, prefix: 29 }",
        "prefix:",
        "  pf1: { ipv4: 10.42.0.0/24 }",
        "nodes: [a, b]",
        "links:",
        "- { a: {}, b: {}, role: transit }",
        "- { a: {}, b: {}, pool: transit }",
        "- { a: {}, b: {}, prefix: pf1 }",
        "- { a: {}, b: {}, prefix: false }",
        "- a",
      ].join("\n"),
    );
    expect(p.links.map((l) => l.subnets.ipv4)).toEqual([
      "192.168.0.0/29",
      "192.168.0.8/29",
      "10.42.0.0/24",
      undefined,
      "172.16.0.0/24",
    ]);
    // A stub network of one node: its ID's address.
    expect(intf(p, "a", 4)?.ipv4).toBe("172.16.0.1/24");
    expect(p.prefixes).toEqual({ pf1: { ipv4: "10.42.0.0/24" } });
  });

  it("give hosts routes to every pool through the first router of their links", () => {
    const p = plan(
      "provider: clab\nnodes:\n  r: { device: frr }\n  h: { device: linux }\nlinks: [r-h]\n",
    );
    expect(
      p.nodes
        .find((n) => n.name === "h")
        ?.routes.map((r) => `${r.prefix} ${r.nexthops.map((x) => `${x.via}@${x.dev}`)}`),
    ).toEqual([
      "10.0.0.0/24 172.16.0.1@eth1",
      "172.16.0.0/16 172.16.0.1@eth1",
      "10.1.0.0/16 172.16.0.1@eth1",
      "10.2.0.0/24 172.16.0.1@eth1",
    ]);
    expect(p.nodes.find((n) => n.name === "r")?.routes).toEqual([]);
  });
});

describe("wirelab's files keep wirelab's addressing", () => {
  it("number in endpoint order and give no loopback unless asked", () => {
    const p = plan(
      "routing: none\nnodes:\n  zz: { device: frr }\n  aa: { device: frr }\nlinks: [zz-aa]\n",
    );
    expect([intf(p, "zz")?.ipv4, intf(p, "aa")?.ipv4]).toEqual(["10.1.0.1/30", "10.1.0.2/30"]);
    expect(lo(p, "zz")).toEqual({});
    expect(p.format).toBeUndefined();
  });
});
