import { describe, expect, it } from "vitest";
import { hostsText } from "../../src/plan/hosts.js";
import { planText } from "../../src/plan/load-plan.js";

describe("the lab's hosts file (netlab's /etc/hosts)", () => {
  it("names each router's loopback, every interface as IFNAME.NODE, a host without loopback by its interfaces; nodes in name order", () => {
    const plan = planText(
      [
        "name: wlunit-hosts",
        "defaults.device: frr",
        "addressing.p2p.ipv6: 2001:db8:1::/48",
        "nodes:",
        "  r2:",
        "  r1:",
        "  h: { device: linux }",
        "links: [r1-r2, r2-h, { r1: {}, r2: {}, prefix: { ipv4: true } }]",
      ].join("\n"),
      "t.yml",
      { env: {} },
    ).plan;
    expect(hostsText(plan).split("\n")).toEqual([
      "127.0.0.1\tlocalhost",
      "::1\tlocalhost ip6-localhost ip6-loopback",
      "ff02::1\tip6-allnodes",
      "ff02::2\tip6-allrouters",
      "# lab wlunit-hosts (wirelab)",
      "172.16.0.3\th eth1.h",
      "10.0.0.2\tr1",
      "10.1.0.1\teth1.r1",
      "2001:db8:1::1\teth1.r1",
      "10.0.0.1\tr2",
      "10.1.0.2\teth1.r2",
      "2001:db8:1::2\teth1.r2",
      "172.16.0.1\teth2.r2",
      "",
    ]);
  });
});
