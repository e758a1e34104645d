/**
 * `wirelab graph`: DOT, Mermaid and JSON of the examples as in their golden
 * files, every DOT checked by Graphviz itself (`dot -Tsvg`), the Mermaid by
 * structure (no Mermaid parser for flowcharts runs without a browser), and
 * the picture's facts: tiers, LAN nodes, transports, impaired links.
 * After a deliberate change: UPDATE_GOLDEN=1 npx vitest run test/graph.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { graphText } from "../../src/graph/graph.js";
import { labGraph, tiersOf } from "../../src/graph/model.js";
import { planText } from "../../src/plan/load-plan.js";
import { planOfFile } from "../helpers.js";

const EXAMPLES = ["six-routers", "lan", "leaf-spine", "six-routers-mixed", "ospf-triangle"];

const golden = (name: string, text: string) => {
  const file = `test/golden/graph/${name}`;
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, text);
  expect(existsSync(file), `${file} is missing; UPDATE_GOLDEN=1 writes it`).toBe(true);
  expect(text, file).toBe(readFileSync(file, "utf8"));
};

describe("graph output of the examples", () => {
  for (const example of EXAMPLES) {
    it(`${example}: DOT that Graphviz renders, Mermaid and JSON as in their golden files`, () => {
      const plan = planOfFile(`examples/${example}.yml`);
      const dot = graphText(plan, "dot");
      golden(`${example}.dot`, dot);
      const svg = execFileSync("dot", ["-Tsvg"], { input: dot, encoding: "utf8" });
      expect(svg).toContain("<svg");
      // Every node and LAN is drawn, with its name.
      for (const n of plan.nodes) expect(svg).toContain(`<title>${n.name}</title>`);
      golden(`${example}.mmd`, graphText(plan, "mermaid"));
      golden(`${example}.json`, graphText(plan, "json"));
    });
  }
});

describe("the picture's facts", () => {
  it("puts a fabric in tiers: spines above leaves above hosts", () => {
    const tiers = tiersOf(planOfFile("examples/leaf-spine.yml"));
    expect(tiers?.get("spine3")).toBe(0);
    expect(tiers?.get("leaf16")).toBe(1);
    expect(tiers?.get("h1")).toBe(2);
    const dot = graphText(planOfFile("examples/leaf-spine.yml"), "dot");
    expect(dot).toContain('{ rank=same; "spine1"; "spine2"; "spine3"; "spine4"; }');
  });

  it("has no tiers where names do not make groups", () => {
    expect(tiersOf(planOfFile("examples/six-routers.yml"))).toBeUndefined();
  });

  it("draws a LAN as a node, each link's transport, and impaired links in red", () => {
    const plan = planText(
      [
        "name: g",
        "nodes: { a: {}, b: {}, c: {}, v: { kind: vm }, w: { kind: vm } }",
        "links:",
        "  - { name: slow, a: {}, b: {}, impair: { delay: 10ms } }",
        "  - { name: hubby, a: {}, b: {}, c: {}, transport: hub }",
        "  - { name: tun, v: {}, w: {} }",
        "  - { name: t, v: {}, c: {} }",
        "",
      ].join("\n"),
      "g.yml",
    ).plan;
    const g = labGraph(plan);
    expect(g.lans).toEqual([
      { id: "hubby", transport: "hub", subnets: [expect.any(String)], impaired: false },
    ]);
    expect(g.edges.map((e) => `${e.link}:${e.transport}:${e.daemon}:${e.impaired}`)).toEqual([
      "slow:relay:true:true",
      "hubby:hub:true:false",
      "hubby:hub:true:false",
      "hubby:hub:true:false",
      "tun:udp:false:false",
      "t:tap:false:false",
    ]);
    const dot = graphText(plan, "dot");
    expect(dot).toMatch(/"a" -- "b" \[style=bold, .*color=red/);
    expect(dot).toContain('"hubby" [shape=circle');
    expect(dot).toMatch(/"v" -- "w" \[style=dashed/);
    expect(dot).toMatch(/"v" -- "c" \[style=dotted/);
    const mermaid = graphText(plan, "mermaid");
    expect(mermaid.split("\n")[0]).toBe("flowchart TB");
    expect(mermaid).toContain("linkStyle 0 stroke:red,color:red");
    expect(mermaid).toContain('n_v[["v<br>VM"]]');
  });

  it("quotes names DOT and Mermaid would take for syntax", () => {
    const plan = planText(
      'name: q\nnodes: { "r-1": {}, "r_2": {} }\nlinks: [ { "r-1": {}, "r_2": {} } ]\n',
      "q.yml",
    ).plan;
    execFileSync("dot", ["-Tsvg"], { input: graphText(plan, "dot") });
    expect(graphText(plan, "mermaid")).toContain("n_r_2d1");
  });
});
