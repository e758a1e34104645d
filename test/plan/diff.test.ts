import { describe, expect, it } from "vitest";
import { diffPlans } from "../../src/plan/diff.js";
import { plan } from "../helpers.js";

const base = "name: d\nnodes: [a, b, c]\nlinks: [a-b, b-c]\n";

describe("diffPlans", () => {
  it("finds nothing between plans of the same topology", () => {
    expect(diffPlans(plan(base), plan(base))).toEqual([]);
  });

  it("names added, removed and changed nodes and links, with the keys that changed", () => {
    const after = plan(
      "name: d\nnodes: { a: { forwarding: true }, b: {}, d: {} }\nlinks: [a-b, b-d]\n",
    );
    expect(diffPlans(plan(base), after)).toEqual([
      "~ node a (forwarding)",
      "~ node b (interfaces)",
      "+ node d",
      "- node c",
      "+ link b-d",
      "- link b-c",
    ]);
  });

  it("says the lab's settings changed when nothing else did", () => {
    const a = plan(base);
    expect(
      diffPlans(a, {
        ...a,
        tests: [{ name: "t", from: "a", target: "10.0.0.1", family: "ipv4", expect: "success" }],
      }),
    ).toEqual(["~ lab settings"]);
  });
});
