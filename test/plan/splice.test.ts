/**
 * Where each transport splices a link onto the wire daemon, what the
 * daemon then runs for it, which interfaces get their hooks and software
 * checksums, and which plan changes touch a splice. Pure: plans only.
 */
import { describe, expect, it } from "vitest";
import { spliceTouched } from "../../src/lab/splice.js";
import { planText } from "../../src/plan/load-plan.js";
import { NO_PORTS } from "../../src/plan/ports.js";
import { transportOf } from "../../src/plan/transports/index.js";
import type { LabPlan, LinkPlan } from "../../src/plan/types.js";
import { PlanView } from "../../src/plan/view.js";
import { softwareChecksumEnds } from "../../src/providers/iproute2.js";
import { labLayout } from "../../src/providers/layout.js";
import { spliceableDevices } from "../../src/providers/netns/splice.js";
import { wireConfig } from "../../src/providers/wire/config.js";
import type { SpliceRecord } from "../../src/providers/wire/splice.js";

const TOPOLOGY = `
name: spl
nodes:
  p: {}
  q: {}
  r: {}
  a: { kind: vm }
  b: { kind: vm }
links:
  - { name: pq, p: {}, q: {} }
  - { name: ab, a: {}, b: {} }
  - { name: ap, a: {}, p: {} }
  - { name: lan, p: {}, q: {}, r: {}, a: {} }
  - { name: rel, q: {}, r: {}, relay: true }
`;

const plan = (text = TOPOLOGY): LabPlan => planText(text, "spl.yml").plan;
const linkOf = (p: LabPlan, name: string) => p.links.find((l) => l.name === name) as LinkPlan;
const spliceOf = (p: LabPlan, link: string, node: string) => {
  const l = linkOf(p, link);
  const ep = l.endpoints.find((e) => e.node === node) as { node: string; ifname: string };
  return transportOf(l).splice?.(l, ep, new PlanView(p));
};

describe("splice plans", () => {
  it("splices a vEth at both namespace interfaces", () => {
    const p = plan();
    expect(spliceOf(p, "pq", "q")).toEqual({
      name: "pq",
      link: "pq",
      ports: [
        { name: "p:eth1", side: { type: "device", namespace: "wl-spl-p", device: "eth1" } },
        { name: "q:eth1", side: { type: "device", namespace: "wl-spl-q", device: "eth1" } },
      ],
    });
  });

  it("splices a UDP tunnel and a tap link at the first VM's NIC, both ways there", () => {
    const p = plan();
    expect(spliceOf(p, "ab", "b")?.ports).toEqual([
      { name: "a:eth1", side: { type: "guest", node: "a", ifname: "eth1" } },
      { name: "b:eth1", side: { type: "network", node: "a", ifname: "eth1" } },
    ]);
    expect(linkOf(p, "ap").transport).toBe("tap");
    expect(spliceOf(p, "ap", "p")?.ports).toEqual([
      { name: "a:eth2", side: { type: "guest", node: "a", ifname: "eth2" } },
      { name: "p:eth2", side: { type: "network", node: "a", ifname: "eth2" } },
    ]);
  });

  it("splices one LAN port: a namespace node at its interface and its bridge port, a VM at its NIC", () => {
    const p = plan();
    expect(spliceOf(p, "lan", "r")).toEqual({
      name: "lan/r:eth1",
      link: "lan",
      ports: [
        { name: "r:eth1", side: { type: "device", namespace: "wl-spl-r", device: "eth1" } },
        { name: "lan", side: { type: "device", namespace: "wl-spl", device: "r-eth1" } },
      ],
    });
    expect(spliceOf(p, "lan", "a")?.ports.map((x) => x.side.type)).toEqual(["guest", "network"]);
  });

  it("has nothing to splice on a link the daemon carries", () => {
    expect(spliceOf(plan(), "rel", "q")).toBeUndefined();
  });

  it("gives hooks to every interface a splice could divert, and software checksums to those socat reads", () => {
    const p = plan();
    expect(Object.fromEntries(spliceableDevices(p))).toEqual({
      "wl-spl-p": ["eth1", "eth3"],
      "wl-spl-q": ["eth1", "eth2"],
      "wl-spl": ["p-eth3", "q-eth2", "r-eth1"],
      "wl-spl-r": ["eth1"],
    });
    expect(softwareChecksumEnds(p)).toEqual([
      { namespace: "wl-spl-q", ifname: "eth3" },
      { namespace: "wl-spl-r", ifname: "eth2" },
    ]);
  });
});

describe("the daemon's configuration with splices", () => {
  it("adds a relay per splice: socat ports for helper vEths, chardev pairs for a VM NIC", () => {
    const p = plan();
    const layout = labLayout("/var/lib/wirelab/labs/spl");
    const veth: SpliceRecord = {
      ...(spliceOf(p, "pq", "p") as NonNullable<ReturnType<typeof spliceOf>>),
      helpers: ["wlxs1", "wlxs2"],
      status: "spliced",
    };
    const vm: SpliceRecord = {
      ...(spliceOf(p, "ab", "a") as NonNullable<ReturnType<typeof spliceOf>>),
      helpers: [null, null],
      status: "spliced",
    };
    const ports = {
      udp: {
        ...Object.fromEntries(
          p.links
            .filter((l) => l.name === "rel")
            .flatMap((l) =>
              l.endpoints.flatMap((e, i) => [
                [`rel:${e.node}:${e.ifname}`, 30000 + i],
                [`rel:${e.node}:${e.ifname}@wire`, 30010 + i],
              ]),
            ),
        ),
        "splice:pq:p:eth1": 31000,
        "splice:pq:p:eth1@wire": 31001,
        "splice:pq:q:eth1": 31002,
        "splice:pq:q:eth1@wire": 31003,
      },
      tcp: NO_PORTS.tcp,
    };
    const c = wireConfig(p, ports, layout, [veth, vm]);
    expect(c.links.map((l) => l.name)).toEqual(["rel", "pq", "ab"]);
    expect(c.attachments.slice(2)).toEqual([
      { hostVeth: "wlxs1", listen: 31000, daemon: 31001 },
      { hostVeth: "wlxs2", listen: 31002, daemon: 31003 },
    ]);
    expect(c.links[2]?.ports.map((x) => x.streams)).toEqual([
      {
        from: "/var/lib/wirelab/labs/spl/vm/a.n1.go.sock",
        to: "/var/lib/wirelab/labs/spl/vm/a.n1.gi.sock",
      },
      {
        from: "/var/lib/wirelab/labs/spl/vm/a.n1.no.sock",
        to: "/var/lib/wirelab/labs/spl/vm/a.n1.ni.sock",
      },
    ]);
  });
});

describe("plan changes that touch a splice", () => {
  const record = (p: LabPlan, link: string, node: string): SpliceRecord => ({
    ...(spliceOf(p, link, node) as NonNullable<ReturnType<typeof spliceOf>>),
    helpers: [],
    status: "spliced",
  });

  it("touches a splice whose link or node changes, not one elsewhere", () => {
    const before = plan();
    const moved = plan(
      TOPOLOGY.replace("{ name: pq, p: {}, q: {} }", "{ name: pq, p: {}, q: { mtu: 1400 } }"),
    );
    expect(spliceTouched(record(before, "pq", "p"), before, moved)).toBe(true);
    expect(spliceTouched(record(before, "lan", "r"), before, moved)).toBe(false);
    const gone = plan(TOPOLOGY.replace("  - { name: pq, p: {}, q: {} }\n", ""));
    expect(spliceTouched(record(before, "pq", "p"), before, gone)).toBe(true);
  });
});
