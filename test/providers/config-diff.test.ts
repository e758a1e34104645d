import { describe, expect, it } from "vitest";
import { planText } from "../../src/plan/load-plan.js";
import type { LabPlan, NodePlan } from "../../src/plan/types.js";
import { configChange } from "../../src/providers/config-diff.js";

const LAB = `
name: cfg
nodes:
  r: { forwarding: true, loopback: { ipv4: 10.255.0.1/32 }, routes: [ { prefix: 10.9.0.0/16, via: 10.0.1.2 }, { prefix: 10.8.0.0/16, via: 10.0.2.2 } ] }
  a: {}
  b: {}
links:
  - { r: { ipv4: 10.0.1.1/24 }, a: { ipv4: 10.0.1.2/24 } }
  - { r: { ipv4: 10.0.2.1/24, ipv6: 2001:db8:2::1/64 }, b: { ipv4: 10.0.2.2/24 } }
`;

const node = (p: LabPlan, name: string) => p.nodes.find((n) => n.name === name) as NodePlan;
const plan = (text: string, previous?: LabPlan) =>
  planText(text, "cfg.yml", previous ? { previous } : {}).plan;

describe("configChange", () => {
  const running = plan(LAB);

  it("is empty for a node that did not change", () => {
    expect(configChange(node(running, "r"), node(running, "r"), new Set())).toEqual({
      remove: [],
      add: [],
    });
  });

  it("moves an address, sets again the routes through its interface, drops a route", () => {
    const edited = plan(
      LAB.replace("10.0.2.1/24", "10.0.2.9/24")
        .replace(", { prefix: 10.9.0.0/16, via: 10.0.1.2 }", "")
        .replace("10.255.0.1/32", "10.255.0.7/32")
        .replace("[ { prefix: 10.9.0.0/16, via: 10.0.1.2 },", "["),
      running,
    );
    const c = configChange(node(running, "r"), node(edited, "r"), new Set());
    expect(c.remove).toEqual([
      "address del 10.255.0.1/32 dev lo",
      "address del 10.0.2.1/24 dev eth2",
      "route del 10.9.0.0/16",
    ]);
    expect(c.add).toEqual([
      "address add 10.255.0.7/32 dev lo",
      "address add 10.0.2.9/24 dev eth2",
      // Deleting eth2's old address took the kernel's route through it.
      "route replace 10.8.0.0/16 via 10.0.2.2 dev eth2",
    ]);
  });

  it("leaves out interfaces made new in the same change", () => {
    const edited = plan(LAB.replace("10.0.2.1/24", "10.0.2.9/24"), running);
    const c = configChange(node(running, "r"), node(edited, "r"), new Set(["eth2"]));
    expect(c.remove).toEqual([]);
    expect(c.add).toEqual(["route replace 10.8.0.0/16 via 10.0.2.2 dev eth2"]);
  });
});
