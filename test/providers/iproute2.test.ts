import { describe, expect, it } from "vitest";
import type { Runner, RunOptions } from "../../src/exec.js";
import { startProcess } from "../../src/process.js";
import { bridgeScripts, hostScript, nodeScript } from "../../src/providers/iproute2.js";
import { labLayout } from "../../src/providers/layout.js";
import { netnsProvider } from "../../src/providers/netns/provider.js";
import { plan } from "../helpers.js";

const lab = plan(
  "name: x\nrouting: static\nnodes:\n  a: {}\n  b: { loopback: true }\n  c: {}\n  d: {}\nlinks: [ a-b, b-c-d ]\n",
);

describe("iproute2 scripts", () => {
  it("creates namespaces and vEth pairs with both ends in their namespaces", () => {
    expect(hostScript(lab)).toEqual([
      "netns add wl-x",
      "netns add wl-x-a",
      "netns add wl-x-b",
      "netns add wl-x-c",
      "netns add wl-x-d",
      `link add eth1 netns wl-x-a address ${lab.nodes[0]?.interfaces[0]?.mac} type veth peer eth1 netns wl-x-b address ${lab.nodes[1]?.interfaces[0]?.mac}`,
      "link add lan1 netns wl-x type bridge stp_state 0 forward_delay 0 mcast_snooping 0 group_fwd_mask 0x4000",
      `link add eth2 netns wl-x-b address ${lab.nodes[1]?.interfaces[1]?.mac} type veth peer b-eth2 netns wl-x`,
      `link add eth1 netns wl-x-c address ${lab.nodes[2]?.interfaces[0]?.mac} type veth peer c-eth1 netns wl-x`,
      `link add eth1 netns wl-x-d address ${lab.nodes[3]?.interfaces[0]?.mac} type veth peer d-eth1 netns wl-x`,
    ]);
  });

  it("enslaves LAN ports in the lab namespace", () => {
    expect([...bridgeScripts(lab).keys()]).toEqual(["wl-x"]);
    expect(bridgeScripts(lab).get("wl-x")).toEqual([
      "link set lan1 addrgenmode none",
      "link set b-eth2 addrgenmode none",
      "link set b-eth2 master lan1",
      "link set b-eth2 up",
      "link set c-eth1 addrgenmode none",
      "link set c-eth1 master lan1",
      "link set c-eth1 up",
      "link set d-eth1 addrgenmode none",
      "link set d-eth1 master lan1",
      "link set d-eth1 up",
      "link set lan1 up",
    ]);
  });

  it("configures a node: loopback, interfaces, addresses, routes", () => {
    expect(nodeScript(lab.nodes[0] as never)).toEqual([
      "link set lo up",
      "link set eth1 up",
      "address add 10.1.0.1/30 dev eth1",
      "route add 172.16.0.0/24 via 10.1.0.2 dev eth1",
      "route add 10.0.0.2/32 via 10.1.0.2 dev eth1",
    ]);
    expect(nodeScript(lab.nodes[1] as never).slice(0, 2)).toEqual([
      "link set lo up",
      "address add 10.0.0.2/32 dev lo",
    ]);
  });

  it("writes ECMP routes with one nexthop per path", () => {
    const p = plan(
      "routing: static\nnodes: [a, s1, s2, z, e]\nlinks: [ a-s1, a-s2, s1-z, s2-z, z-e ]\n",
    );
    expect(nodeScript(p.nodes[0] as never)).toContain(
      "route add 10.1.0.16/30 nexthop via 10.1.0.2 dev eth1 nexthop via 10.1.0.6 dev eth2",
    );
  });
});

describe("netns provider", () => {
  it("runs one host batch, one batch per namespace, sysctl for forwarding nodes, and the clsact hooks splicing will use", async () => {
    const calls: { argv: string[]; input?: string }[] = [];
    const run: Runner = async (file, args, options?: RunOptions) => {
      calls.push({
        argv: [file, ...args],
        ...(options?.input !== undefined ? { input: options.input } : {}),
      });
      return {
        argv: [file, ...args],
        exitCode: 0,
        signal: null,
        stdout: "",
        stderr: "",
        durationMs: 0,
      };
    };
    const ctx = {
      plan: lab,
      run,
      start: startProcess,
      layout: labLayout("/nonexistent"),
      ports: { udp: {}, tcp: {} },
      concurrency: 1,
    };
    await netnsProvider.create?.(ctx, undefined);
    await netnsProvider.configure?.(ctx, undefined);
    expect(calls.map((c) => c.argv.join(" "))).toEqual([
      "ip -batch -",
      "ip -n wl-x -batch -",
      "ip -n wl-x-a -batch -",
      "ip -n wl-x-b -batch -",
      "ip netns exec wl-x-b sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1",
      "ip -n wl-x-c -batch -",
      "ip -n wl-x-d -batch -",
      // Every interface a splice could divert, made with its hook (one tc batch per namespace).
      "tc -n wl-x-a -force -batch -",
      "tc -n wl-x-b -force -batch -",
      "tc -n wl-x -force -batch -",
      "tc -n wl-x-c -force -batch -",
      "tc -n wl-x-d -force -batch -",
    ]);
    expect(calls[0]?.input).toBe(`${hostScript(lab).join("\n")}\n`);
    expect(calls.find((c) => c.argv.join(" ") === "tc -n wl-x -force -batch -")?.input).toBe(
      "qdisc add dev b-eth2 clsact\nqdisc add dev c-eth1 clsact\nqdisc add dev d-eth1 clsact\n",
    );
  });
});
