import { describe, expect, it } from "vitest";
import { macAddress } from "../../src/plan/mac.js";
import { plan } from "../helpers.js";

const iface = (p: ReturnType<typeof plan>, node: string, name = "eth1") =>
  p.nodes.find((n) => n.name === node)?.interfaces.find((i) => i.ifname === name);

describe("addresses", () => {
  it("takes p2p /30s and LAN /24s from netlab's default pools, in link order", () => {
    const p = plan("nodes: [a, b, c, d]\nlinks: [ a-b, b-c-d, c-d ]\n");
    expect(p.links.map((l) => l.subnets.ipv4)).toEqual([
      "10.1.0.0/30",
      "172.16.0.0/24",
      "10.1.0.4/30",
    ]);
    expect([iface(p, "a")?.ipv4, iface(p, "b")?.ipv4]).toEqual(["10.1.0.1/30", "10.1.0.2/30"]);
    expect(iface(p, "d", "eth2")?.ipv4).toBe("10.1.0.6/30");
  });

  it("honours pools, /31 prefixes and netlab host indexes", () => {
    const p = plan(
      "addressing: { p2p: { ipv4: 192.168.100.0/24, prefix: 31 } }\nnodes: [a, b, c]\nlinks:\n  - a-b\n  - { b: { ipv4: 5 }, c: {}, prefix: 10.9.9.0/24 }\n",
    );
    expect([iface(p, "a")?.ipv4, iface(p, "b")?.ipv4]).toEqual([
      "192.168.100.0/31",
      "192.168.100.1/31",
    ]);
    expect([iface(p, "b", "eth2")?.ipv4, iface(p, "c")?.ipv4]).toEqual([
      "10.9.9.5/24",
      "10.9.9.1/24",
    ]);
  });

  it("fills the rest of a link from its first explicit address's subnet", () => {
    const p = plan(
      "nodes: [a, b, c]\nlinks:\n  - { a: { ipv4: 10.20.10.1/24 }, b: {}, c: { ipv4: 10.20.10.2/24 } }\n",
    );
    expect(p.nodes.map((n) => n.interfaces[0]?.ipv4)).toEqual([
      "10.20.10.1/24",
      "10.20.10.3/24",
      "10.20.10.2/24",
    ]);
  });

  it("skips pool subnets that explicit prefixes use", () => {
    const p = plan(
      "nodes: [a, b, c]\nlinks:\n  - a-b\n  - { b: {}, c: {}, prefix: 10.1.0.4/30 }\n  - a-c\n",
    );
    expect(p.links.map((l) => l.subnets.ipv4)).toEqual([
      "10.1.0.0/30",
      "10.1.0.4/30",
      "10.1.0.8/30",
    ]);
  });

  it("adds IPv6 from a pool or explicitly, and leaves a family off on request", () => {
    const p = plan(
      "addressing: { p2p: { ipv6: '2001:db8:1::/48' } }\nnodes: [a, b, c]\nlinks:\n  - a-b\n  - { b: { ipv4: false }, c: { ipv4: false } }\n",
    );
    expect(iface(p, "a")).toMatchObject({ ipv4: "10.1.0.1/30", ipv6: "2001:db8:1::1/64" });
    expect(iface(p, "c")?.ipv4).toBeUndefined();
    expect(iface(p, "c")?.ipv6).toBe("2001:db8:1:1::2/64");
  });

  it("allocates loopbacks by node position, and takes fixed ones as written", () => {
    const p = plan(
      "defaults: { loopback: true }\nnodes:\n  a: {}\n  b: { loopback: 10.255.0.1/32 }\n  c: { loopback: false }\n",
    );
    expect(p.nodes.map((n) => n.loopback.ipv4)).toEqual([
      "10.0.0.1/32",
      "10.255.0.1/32",
      undefined,
    ]);
  });
});

describe("names", () => {
  it("numbers interfaces eth1… per node in link order, around explicit names", () => {
    const p = plan(
      "nodes: [a, b]\nlinks:\n  - endpoints: [ 'a:eth1', 'b:eth2' ]\n  - a-b\n  - a-b\n",
    );
    expect(p.nodes[1]?.interfaces.map((i) => i.ifname)).toEqual(["eth2", "eth1", "eth3"]);
    expect(p.nodes[0]?.interfaces.map((i) => [i.ifname, i.peer])).toEqual([
      ["eth1", "b:eth2"],
      ["eth2", "b:eth1"],
      ["eth3", "b:eth3"],
    ]);
  });

  it("names links a-b (made unique) and lanN, keeping written names", () => {
    const p = plan(
      "nodes: [a, b, c]\nlinks: [ a-b, a-b, a-b-c, { a: {}, c: {}, name: lan1 }, b-c-a ]\n",
    );
    expect(p.links.map((l) => l.name)).toEqual(["a-b", "a-b-2", "lan2", "lan1", "lan3"]);
  });

  it("names LAN ports node-iface, with a short fallback past 15 characters", () => {
    const p = plan("nodes: [a, averyverylongnode, c]\nlinks: [ a-averyverylongnode-c ]\n");
    const lan = p.links[0];
    expect(lan?.transport === "bridge" && lan.endpoints.map((e) => e.port)).toEqual([
      "a-eth1",
      "l1p2",
      "c-eth1",
    ]);
  });

  it("puts a two-node link on a bridge when asked", () => {
    const p = plan("nodes: [a, b]\nlinks: [ { a: {}, b: {}, transport: bridge } ]\n");
    expect(p.links[0]).toMatchObject({
      type: "lan",
      transport: "bridge",
      namespace: "wl-t",
      bridge: "lan1",
    });
    expect(p.labNamespace).toBe("wl-t");
  });

  it("needs no lab namespace without LANs", () => {
    expect(plan("nodes: [a, b]\nlinks: [ a-b ]\n").labNamespace).toBeUndefined();
  });
});

describe("MAC addresses", () => {
  it("are locally administered unicast, and differ between labs", () => {
    const m = macAddress("lab1", 1, 1);
    expect(m).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    expect(Number.parseInt(m.slice(0, 2), 16) & 3).toBe(2);
    expect(macAddress("lab2", 1, 1)).not.toBe(m);
    expect(macAddress("lab1", 4095, 4095).slice(9)).toBe("ff:ff:ff");
    expect(() => macAddress("lab1", 4096, 1)).toThrow(RangeError);
  });
});

describe("routing: static", () => {
  const chain = "routing: static\nnodes: [a, b, c, d]\nlinks: [ a-b, b-c, c-d ]\n";

  it("routes every node to every prefix along the chain, turning on forwarding in transit", () => {
    const p = plan(chain);
    const a = p.nodes[0];
    expect(a?.routes.map((r) => [r.prefix, r.nexthops[0]?.via])).toEqual([
      ["10.1.0.4/30", "10.1.0.2"],
      ["10.1.0.8/30", "10.1.0.2"],
    ]);
    expect(p.nodes.map((n) => n.forwarding)).toEqual([false, true, true, false]);
  });

  it("uses every equal-cost next hop", () => {
    const p = plan(
      "routing: static\nnodes: [a, s1, s2, z, e]\nlinks: [ a-s1, a-s2, s1-z, s2-z, z-e ]\n",
    );
    const ecmp = p.nodes[0]?.routes.filter((r) => r.nexthops.length === 2);
    expect(ecmp?.map((r) => r.prefix)).toEqual(["10.1.0.16/30"]);
  });

  it("never routes through a node with forwarding: false", () => {
    const p = plan(
      "routing: static\nnodes:\n  a: {}\n  h: { forwarding: false }\n  b: { loopback: true }\nlinks: [ a-h, h-b ]\n",
    );
    expect(p.nodes[0]?.routes.map((r) => r.prefix)).toEqual(["10.1.0.4/30"]);
    expect(p.nodes[1]?.forwarding).toBe(false);
  });

  it("keeps written routes over computed ones for the same prefix", () => {
    const p = plan(
      "routing: static\nnodes:\n  a: { routes: [ { prefix: 10.1.0.8/30, via: 10.1.0.2 } ] }\n  b: {}\n  c: {}\n  d: {}\nlinks: [ a-b, b-c, c-d ]\n",
    );
    expect(
      p.nodes[0]?.routes.filter((r) => r.prefix === "10.1.0.8/30").map((r) => r.origin),
    ).toEqual(["static"]);
  });

  it("does nothing without routing: static", () => {
    const p = plan("nodes: [a, b, c]\nlinks: [ a-b, b-c ]\n");
    expect(p.nodes.map((n) => [n.name, n.routes])).toEqual([
      ["a", []],
      ["b", []],
      ["c", []],
    ]);
  });
});

describe("loopbacks in both families", () => {
  it("takes IPv6 loopbacks when the IPv6 loopback pool is on", () => {
    const p = plan(
      "addressing: { loopback: { ipv6: '2001:db8:ff::/64' } }\ndefaults: { loopback: true }\nnodes: [a, b]\n",
    );
    expect(p.nodes.map((n) => n.loopback)).toEqual([
      { ipv4: "10.0.0.1/32", ipv6: "2001:db8:ff::1/128" },
      { ipv4: "10.0.0.2/32", ipv6: "2001:db8:ff::2/128" },
    ]);
  });
});
