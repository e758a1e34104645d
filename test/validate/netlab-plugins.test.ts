/**
 * netlab's validation plugins on FRR 8.4's own output: each command as
 * netlab's plugin builds it, and its verdict on JSON and text recorded from
 * the netlab fixtures' labs (`test/fixtures/frr-8.4/`, recorded with
 * `wirelab exec LAB NODE -- vtysh -c "show …"`).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Value } from "../../src/topology/expression/evaluate.js";
import { bind, CheckFailed } from "../../src/validate/netlab/plugins/common.js";
import { PLUGINS } from "../../src/validate/netlab/plugins/index.js";
import { parseIsisRoutes } from "../../src/validate/netlab/plugins/isis.js";

const recorded = (file: string): Value => {
  const text = readFileSync(`test/fixtures/frr-8.4/${file}`, "utf8");
  return file.endsWith(".json") ? (JSON.parse(text) as Value) : { stdout: text };
};

/** The plugin's command, and its verdict: `pass: message` or `fail: message`. */
function check(
  name: keyof typeof PLUGINS,
  args: Value[],
  kwargs: Record<string, Value>,
  output: Value,
): { command: string; verdict: string } {
  const fn = PLUGINS[name];
  const b = bind(fn.name, fn.params, args, kwargs, fn.rest);
  const command = fn.command(b);
  try {
    return { command, verdict: `pass: ${fn.valid(output, b)}` };
  } catch (e) {
    if (!(e instanceof CheckFailed)) throw e;
    return { command, verdict: `fail: ${e.message}` };
  }
}

describe("binding a call's arguments (Python's rules)", () => {
  const fn = PLUGINS.bgp_prefix;
  it("binds positional, then keyword arguments, fills defaults, and collects other keywords", () => {
    const b = bind(fn.name, fn.params, ["10.0.0.0/24"], { af: "ipv6", nh: "1.2.3.4" }, fn.rest);
    expect(b).toEqual({
      values: { pfx: "10.0.0.0/24", af: "ipv6", state: "present" },
      rest: { nh: "1.2.3.4" },
    });
  });
  it("refuses a doubled, a missing and an unknown argument", () => {
    expect(() => bind(fn.name, fn.params, ["p"], { pfx: "q" }, fn.rest)).toThrow(
      'bgp_prefix() got two values of "pfx"',
    );
    expect(() => bind(fn.name, fn.params, [], {}, fn.rest)).toThrow('bgp_prefix() needs "pfx"');
    const ospf = PLUGINS.ospf_neighbor;
    expect(() => bind(ospf.name, ospf.params, ["1.1.1.1"], { color: 1 })).toThrow(
      'ospf_neighbor() has no argument "color" (it takes id, present, vrf)',
    );
    expect(() => bind(ospf.name, ospf.params, [1, 2, 3, 4], {})).toThrow(
      "ospf_neighbor() takes 3 arguments, got 4",
    );
  });
});

describe("OSPF plugins", () => {
  it("ospf_neighbor: Full passes, an absent neighbour fails, and passes with present=False", () => {
    expect(check("ospf_neighbor", ["10.0.0.2"], {}, recorded("ospf-neighbor.json"))).toEqual({
      command: "ip ospf neighbor 10.0.0.2 json",
      verdict: "pass: OSPFv2 neighbor 10.0.0.2 is in state Full/-",
    });
    expect(
      check("ospf_neighbor", ["10.9.9.9"], {}, recorded("ospf-neighbor-absent.json")).verdict,
    ).toMatch(/^fail: .*10\.9\.9\.9/);
    expect(
      check(
        "ospf_neighbor",
        ["10.9.9.9"],
        { present: false },
        recorded("ospf-neighbor-absent.json"),
      ).verdict,
    ).toMatch(/^pass: /);
  });

  it("ospf6_neighbor reads OSPFv3's neighbour list", () => {
    expect(check("ospf6_neighbor", ["10.0.0.2"], {}, recorded("ospf6-neighbor.json"))).toEqual({
      command: "ipv6 ospf6 neighbor 10.0.0.2 json",
      verdict: "pass: OSPFv3 neighbor 10.0.0.2 is in state Full",
    });
  });

  it("ospf_prefix checks presence and cost, from an address's network", () => {
    const route = recorded("ospf-route.json");
    expect(check("ospf_prefix", ["172.16.2.5/24"], { cost: 20 }, route).verdict).toBe(
      "pass: The prefix 172.16.2.0/24 is in the OSPF topology with cost=20",
    );
    expect(check("ospf_prefix", ["172.16.2.0/24"], { cost: 70 }, route).verdict).toBe(
      "fail: There is no path to 172.16.2.0/24 in the OSPF topology with cost=70",
    );
    expect(check("ospf_prefix", ["192.0.2.0/24"], {}, route).verdict).toBe(
      "fail: The prefix 192.0.2.0/24 is not in the OSPF topology",
    );
    expect(check("ospf_prefix", ["192.0.2.0/24"], { state: "missing" }, route).verdict).toBe(
      "pass: The prefix 192.0.2.0/24 is not in the OSPF topology",
    );
    expect(check("ospf_prefix", ["172.16.2.0/24"], { colour: 1 }, route).verdict).toMatch(
      /^fail: Invalid prefix check colour/,
    );
  });

  it("ospf6_prefix reads OSPFv3's route table", () => {
    expect(check("ospf6_prefix", ["2001:db8:0:1::1/64"], {}, recorded("ospf6-route.json"))).toEqual(
      {
        command: "ipv6 ospf6 route detail json",
        verdict: "pass: The prefix 2001:db8:0:1::/64 is in the OSPFv3 topology",
      },
    );
  });
});

describe("BGP plugins", () => {
  const ngb: Value = [
    { name: "c1", ipv4: "10.1.0.13", ipv6: "2001:db8:2:3::1" },
    { name: "x9", ipv4: "10.9.9.9" },
  ];

  it("bgp_neighbor finds the neighbour's address by name and checks its state", () => {
    const summary = recorded("bgp-summary.json");
    expect(check("bgp_neighbor", [ngb, "c1"], {}, summary)).toEqual({
      command: "bgp summary json",
      verdict: "pass: Neighbor 10.1.0.13 (c1) is in state Established",
    });
    expect(check("bgp_neighbor", [ngb, "c1"], { af: "ipv6" }, summary).verdict).toBe(
      "pass: Neighbor 2001:db8:2:3::1 (c1) is in state Established",
    );
    expect(check("bgp_neighbor", [ngb, "x9"], {}, summary).verdict).toBe(
      "fail: The router has no BGP neighbor with ipv4 address 10.9.9.9 (x9)",
    );
    expect(check("bgp_neighbor", [ngb, "x9"], { state: "missing" }, summary).verdict).toMatch(
      /^pass: /,
    );
    expect(check("bgp_neighbor", [ngb, "nobody"], {}, summary).verdict).toBe(
      "fail: Cannot find the ipv4 address of the neighbor nobody",
    );
    expect(
      check("bgp_neighbor", [ngb, "c1"], { activate: "ipv6", af: "ipv6" }, summary).command,
    ).toBe("bgp ipv6 summary established json");
  });

  it("bgp_prefix checks next hop, cluster list and AS path of a reflected and a transit route", () => {
    expect(
      check(
        "bgp_prefix",
        ["172.42.42.0/24"],
        { clusterid: "10.0.0.1", nh: "10.0.0.2/32" },
        recorded("bgp-prefix-reflected.json"),
      ),
    ).toEqual({
      command: "bgp ipv4 172.42.42.0/24 json",
      verdict:
        "pass: The prefix 172.42.42.0/24 is in the BGP table with BGP next hop=10.0.0.2/32,RR cluster ID=10.0.0.1",
    });
    const transit = recorded("bgp-prefix-transit.json");
    expect(
      check("bgp_prefix", ["172.42.42.0/24"], { as_elements: [65000, 65100] }, transit).verdict,
    ).toBe("pass: The prefix 172.42.42.0/24 is in the BGP table with AS numbers=[65000, 65100]");
    expect(check("bgp_prefix", ["172.42.42.0/24"], { as_elements: [65200] }, transit).verdict).toBe(
      "fail: No path to prefix 172.42.42.0/24 has [65200] in AS-path (found 65000 65100)",
    );
    expect(
      check("bgp_prefix", ["192.0.2.0/24"], {}, recorded("bgp-prefix-absent.json")).verdict,
    ).toBe("fail: The prefix 192.0.2.0/24 is not in the BGP table");
  });

  it("bgp_neighbor_details compares the neighbour's details", () => {
    const details = recorded("bgp-neighbor.json");
    const x1: Value = [{ name: "c1", ipv4: "10.1.0.9" }];
    expect(check("bgp_neighbor_details", [x1, "c1"], { bgpState: "Established" }, details)).toEqual(
      { command: "bgp neighbor 10.1.0.9 json", verdict: expect.stringMatching(/^pass: /) },
    );
    expect(
      check("bgp_neighbor_details", [x1, "c1"], { bgpState: "Idle" }, details).verdict,
    ).toMatch(/^fail: .*bgpState/);
  });
});

describe("IS-IS plugins", () => {
  it("isis_neighbor checks state, level and area", () => {
    const n = recorded("isis-neighbor.json");
    expect(check("isis_neighbor", ["r1"], { level: "L1", area: "49.0001" }, n)).toEqual({
      command: "isis neighbor r1 json",
      verdict: "pass: IS-IS neighbor r1 is in state Up",
    });
    expect(check("isis_neighbor", ["r1"], { level: "L2" }, n).verdict).toMatch(/^fail: /);
  });

  it("parses FRR 8.4's text route table (it has no JSON form) and checks a prefix and its metric", () => {
    const l2 = parseIsisRoutes((recorded("isis-route-level-2.txt") as { stdout: string }).stdout);
    expect(check("isis_prefix", ["10.0.0.3/32"], { level: "2", cost: 40 }, l2)).toEqual({
      command: "isis route level-2",
      verdict: "pass: ipv4 prefix 10.0.0.3/32 is in level-2 IS-IS database",
    });
    expect(check("isis_prefix", ["10.0.0.3/32"], { level: "2", cost: 41 }, l2).verdict).toMatch(
      /^fail: /,
    );
    expect(check("isis_prefix", ["10.0.0.9/32"], { level: "2" }, l2).verdict).toMatch(/^fail: /);
    const l1 = parseIsisRoutes((recorded("isis-route-level-1.txt") as { stdout: string }).stdout);
    expect(
      check("isis_prefix", ["2001:db8:0:2::1/64"], { level: "1", af: "ipv6" }, l1).verdict,
    ).toBe("pass: ipv6 prefix 2001:db8:0:2::/64 is in level-1 IS-IS database");
  });
});

describe("Linux plugins", () => {
  it("ping passes on replies of the right size, and expect='fail' on none", () => {
    expect(check("ping", ["172.16.2.5/24"], {}, recorded("ping-ok.txt"))).toEqual({
      command: "ping -c 5 -W 1 -A '172.16.2.5' || true",
      verdict: "pass: Ping to 172.16.2.5 succeeded",
    });
    expect(check("ping", ["172.16.2.5"], { pkt_len: 1000 }, recorded("ping-ok.txt")).verdict).toBe(
      "fail: Ping to 172.16.2.5 size 1000 failed",
    );
    expect(
      check("ping", ["10.77.0.1"], { expect: "fail" }, recorded("ping-fail.txt")).verdict,
    ).toBe("pass: Ping to 10.77.0.1 failed as expected");
    expect(check("ping", ["10.77.0.1"], {}, recorded("ping-fail.txt")).verdict).toBe(
      "fail: Ping to 10.77.0.1 failed",
    );
  });

  it("rt_prefix finds a prefix in the routing table by protocol", () => {
    expect(
      check("rt_prefix", ["172.16.2.0/24"], { proto: "ospf" }, recorded("route-ospf.json")),
    ).toEqual({ command: "ip route ospf json", verdict: expect.stringMatching(/^pass: /) });
    expect(
      check("rt_prefix", ["192.0.2.0/24"], { proto: "ospf" }, recorded("route-ospf.json")).verdict,
    ).toMatch(/^fail: /);
  });
});
