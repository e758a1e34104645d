import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { rewireScripts } from "../../src/providers/netns/rewire.js";
import { plan } from "../helpers.js";

describe("rewiring a restarted namespace node", () => {
  const p = plan(readFileSync("examples/six-routers.yml", "utf8"));
  const mac = (node: string, ifname: string) =>
    p.nodes.find((n) => n.name === node)?.interfaces.find((i) => i.ifname === ifname)?.mac;

  it("recreates the namespace and both vEth pairs of a transit router", () => {
    const s = rewireScripts(p, "rt2");
    expect(s.host).toEqual([
      "netns add wl-six-routers-rt2",
      `link add eth1 netns wl-six-routers-rt2 address ${mac("rt2", "eth1")} type veth peer eth2 netns wl-six-routers-rt1 address ${mac("rt1", "eth2")}`,
      `link add eth2 netns wl-six-routers-rt2 address ${mac("rt2", "eth2")} type veth peer eth1 netns wl-six-routers-rt4 address ${mac("rt4", "eth1")}`,
    ]);
  });

  it("gives each peer its interface, address and routes through it back, and nothing else", () => {
    const s = rewireScripts(p, "rt2");
    expect(s.namespaces.get("wl-six-routers-rt1")).toEqual([
      "link set eth2 up",
      "address add 10.20.20.1/24 dev eth2",
      "route replace 10.20.60.0/24 via 10.20.20.2 dev eth2",
      "route replace 10.20.40.0/24 via 10.20.20.2 dev eth2",
    ]);
    expect([...s.namespaces.keys()].sort()).toEqual([
      "wl-six-routers-rt1",
      "wl-six-routers-rt2",
      "wl-six-routers-rt4",
    ]);
  });

  it("puts a LAN member's port back on its bridge", () => {
    const s = rewireScripts(p, "h1");
    expect(s.namespaces.get("wl-six-routers")).toEqual([
      "link set h1-eth1 addrgenmode none",
      "link set h1-eth1 master br1",
      "link set h1-eth1 up",
    ]);
  });
});
