import { describe, expect, it } from "vitest";
import { problems, where } from "../helpers.js";

const y = (lines: string[]) => `${lines.join("\n")}\n`;

describe("loader errors: each problem located at file:line:col", () => {
  it("reports YAML syntax errors with their position", () => {
    const d = problems("nodes: [a, b\nlinks: - a-b\n");
    expect(d.length).toBeGreaterThan(0);
    for (const x of d) {
      expect(x.code).toBe("yaml-syntax");
      expect(x.file).toBe("t.yml");
      expect(x.line, x.message).toBeTypeOf("number");
    }
  });

  it("rejects duplicate keys as a syntax error", () => {
    expect(problems(y(["nodes:", "  a: {}", "  a: {}"])).map((d) => d.code)).toEqual([
      "yaml-syntax",
    ]);
  });

  it("names unknown top-level keys with a suggestion", () => {
    const d = problems(y(["nodes: [a]", "linsk: []"]));
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ code: "unknown-key", line: 2, col: 1, path: ["linsk"] });
    expect(d[0]?.message).toContain('did you mean "links"');
  });

  it("names unknown node attributes at the key", () => {
    const d = problems(y(["nodes:", "  rt1: { kind: linux, fowarding: true }"]));
    expect(d[0]).toMatchObject({ code: "unknown-key", line: 2, col: 23 });
    expect(d[0]?.message).toContain('did you mean "forwarding"');
  });

  it("requires nodes", () => {
    expect(problems("links: []\n").map((d) => d.code)).toEqual(["bad-type"]);
  });

  it("reports an unknown node in every link form", () => {
    const yaml = y([
      "nodes: [rt1, rt2]",
      "links:",
      "  - rt1-rt9",
      "  - [ rt1, rt8 ]",
      "  - endpoints: [ 'rt1:eth5', 'rt7:eth1' ]",
      "  - { from: {}, rt1: {} }",
    ]);
    const d = problems(yaml);
    expect(d.map((x) => `${x.code}@${x.line}`)).toEqual([
      "unknown-node@3",
      "unknown-node@4",
      "unknown-node@5",
      "unknown-key@6",
    ]);
    expect(d[0]?.message).toContain(
      'unknown node "rt9" (did you mean "rt1"?) (nodes are: rt1, rt2)',
    );
  });

  it("reports an interface used twice, naming both places", () => {
    const yaml = y([
      "nodes: [a, b, c]",
      "links:",
      "  - endpoints: [ 'a:eth1', 'b:eth1' ]",
      "  - endpoints: [ 'a:eth1', 'c:eth1' ]",
    ]);
    const d = problems(yaml);
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ code: "duplicate-interface", line: 4, relatedAt: "t.yml:3:18" });
  });

  it("rejects eth0 (management) and names over 15 characters", () => {
    const yaml = y([
      "nodes: [a, b]",
      "links:",
      "  - a: { ifname: eth0 }",
      "    b: { ifname: an-interface-name }",
    ]);
    expect(problems(yaml).map((d) => `${d.code}@${d.line}:${d.col}`)).toEqual([
      "bad-name@3:18",
      "name-too-long@4:18",
    ]);
  });

  it("rejects a link name too long for a bridge", () => {
    expect(
      where(
        y([
          "nodes: [a, b, c]",
          "links:",
          "  - { a: {}, b: {}, c: {}, name: lan-of-the-first-floor }",
        ]),
      ),
    ).toEqual(["name-too-long@3:34"]);
  });

  it("reports bad prefixes: malformed, host bits set, wrong family", () => {
    const yaml = y([
      "nodes: [a, b]",
      "links:",
      "  - { a: {}, b: {}, prefix: 10.1.1.1/24 }",
      "  - { a: {}, b: {}, prefix: 10.1.2.0/33 }",
      "  - { a: { ipv4: '2001:db8::1/64' }, b: {} }",
    ]);
    const d = problems(yaml);
    expect(d.map((x) => `${x.code}@${x.line}`)).toEqual([
      "bad-prefix@3",
      "bad-prefix@4",
      "bad-prefix@5",
    ]);
    expect(d[0]?.message).toContain("did you mean 10.1.1.0/24");
  });

  it("reports two nodes given the same address, naming both places", () => {
    const yaml = y([
      "nodes: [a, b]",
      "links:",
      "  - a: { ipv4: 10.5.0.1/24 }",
      "    b: { ipv4: 10.5.0.1/24 }",
    ]);
    const d = problems(yaml);
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({
      code: "address-clash",
      line: 4,
      col: 16,
      relatedAt: "t.yml:3:16",
    });
    expect(d[0]?.message).toContain("10.5.0.1");
  });

  it("reports a loopback that clashes with an interface address", () => {
    const yaml = y([
      "nodes:",
      "  a: { loopback: 10.0.0.9 }",
      "  b: {}",
      "links:",
      "  - a: {}",
      "    b: { ipv4: 10.0.0.9/24 }",
    ]);
    expect(problems(yaml).map((d) => d.code)).toEqual(["address-clash"]);
  });

  it("reports overlapping link subnets", () => {
    const yaml = y([
      "nodes: [a, b, c]",
      "links:",
      "  - { a: {}, b: {}, prefix: 10.9.0.0/24 }",
      "  - { b: {}, c: {}, prefix: 10.9.0.128/25 }",
    ]);
    expect(where(yaml)).toEqual(["address-clash@4:5"]);
  });

  it("reports an address outside the link prefix", () => {
    const yaml = y([
      "nodes: [a, b]",
      "links:",
      "  - { a: { ipv4: 10.2.0.1/24 }, b: {}, prefix: 10.9.0.0/24 }",
    ]);
    expect(problems(yaml).map((d) => d.code)).toEqual(["address-outside-prefix"]);
  });

  it("reports a route whose gateway is on no subnet of the node", () => {
    const yaml = y([
      "nodes:",
      "  a:",
      "    routes: [ { prefix: 10.9.0.0/16, via: 192.0.2.1 } ]",
      "  b: {}",
      "links: [ a-b ]",
    ]);
    const d = problems(yaml);
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ code: "bad-route", line: 3, col: 43 });
  });

  it("reports bad route prefixes and gateways", () => {
    const yaml = y([
      "nodes:",
      "  a:",
      "    routes:",
      "      - { prefix: nowhere, via: 10.1.0.2 }",
      "      - { prefix: 10.9.0.0/16, via: gateway }",
    ]);
    expect(where(yaml)).toEqual(["bad-prefix@4:19", "bad-route@5:37"]);
  });

  it("reports unknown enum values with a suggestion", () => {
    const d = problems(y(["nodes: [a, b]", "links:", "  - { a: {}, b: {}, transport: vethh }"]));
    expect(d[0]).toMatchObject({ code: "bad-value", line: 3, col: 32 });
    expect(d[0]?.message).toContain('did you mean "veth"');
  });

  it("reports bad names for nodes and labs", () => {
    expect(where(y(["name: My_Lab", "nodes:", "  1st: {}"]))).toEqual([
      "bad-value@1:7",
      "bad-name@3:3",
    ]);
  });

  it("reports ambiguous link strings and suggests the list form", () => {
    const d = problems(y(["nodes: [a, b, a-b, c, b-c]", "links: [ a-b-c ]"]));
    expect(d[0]?.code).toBe("ambiguous-link");
    expect(d[0]?.message).toContain("use the list form");
  });

  it("reports a link without endpoints, and a stub of two", () => {
    expect(problems(y(["nodes: [a]", "links: [ [] ]"])).map((d) => d.code)).toEqual([
      "link-too-short",
    ]);
    expect(
      problems(y(["nodes: [a, b]", "links: [ { a: {}, b: {}, type: stub } ]"])).map((d) => d.code),
    ).toEqual(["bad-value"]);
    // One node alone is a stub network (netlab's), not a mistake.
    expect(problems(y(["nodes: [a]", "links: [ [a], a ]"]))).toEqual([]);
  });

  it("reports a full pool", () => {
    const yaml = y([
      "addressing: { p2p: { ipv4: 10.1.0.0/29 } }",
      "nodes: [a, b, c, d]",
      "links: [ a-b, b-c, c-d ]",
    ]);
    expect(problems(yaml).map((d) => d.code)).toEqual(["pool-exhausted"]);
  });

  it("reports validate tests that name unknown nodes", () => {
    const yaml = y([
      "nodes: [a, b]",
      "links: [ a-b ]",
      "validate:",
      "  t1: { from: a, ping: bb }",
      "  t2: { from: x, ping: b }",
    ]);
    expect(where(yaml)).toEqual(["unknown-node@4:24", "unknown-node@5:15"]);
  });

  it("reports transports that do not fit their endpoints", () => {
    const yaml = y([
      "nodes:",
      "  a: { kind: vm }",
      "  b: {}",
      "  c: {}",
      "links:",
      "  - { a: {}, b: {}, transport: udp }",
      "  - { b: {}, c: {}, transport: tap }",
      "  - { a: {}, b: {}, c: {}, transport: udp }",
    ]);
    expect(where(yaml)).toEqual(["bad-value@6:32", "bad-value@7:32", "bad-value@8:39"]);
  });

  it("checks impairments where they are written, and that the wire daemon can carry them", () => {
    const yaml = y([
      "nodes:",
      "  a: { kind: vm }",
      "  b: { kind: vm }",
      "  h: {}",
      "links:",
      "  - { a: {}, b: {}, impair: { delay: fast, loss: 150% } }",
      "  - a: { impair: { rate: 1kbit } }",
      "    b: {}",
      "  - { a: {}, h: {}, transport: tap, impair: { delay: 5ms } }",
      "  - { a: {}, b: {}, h: {}, relay: true }",
    ]);
    expect(where(yaml)).toEqual([
      "bad-value@6:38",
      "bad-value@6:50",
      "bad-value@7:26",
      "unsupported@9:37",
      "bad-value@10:35",
    ]);
    expect(problems(yaml)[0]?.message).toContain("expected a time up to 60s, e.g. 20ms");
    expect(problems(yaml)[3]?.message).toContain('does not carry "transport: tap"');
  });

  it("reports every problem of a file in one run, in file order", () => {
    const yaml = y([
      "nodse: 1",
      "nodes:",
      "  rt1: { fowarding: true }",
      "  rt2: {}",
      "links:",
      "  - rt1-rt9",
      "  - rt1: { ipv4: 10.5.0.1/24 }",
      "    rt2: { ipv4: 10.5.0.1/24 }",
      "  - { rt1: {}, rt2: {}, transport: vethh }",
    ]);
    expect(problems(yaml).map((d) => `${d.code}@${d.line}`)).toEqual([
      "unknown-key@1",
      "unknown-key@3",
      "unknown-node@6",
      "address-clash@8",
      "bad-value@9",
    ]);
  });
});

describe("user images", () => {
  it("resolves image paths against the topology's folder and needs kind: vm", () => {
    const d = problems("nodes:\n  a: { image: disk.qcow2 }\n  b: { kind: vm, initrd: i.gz }\n");
    expect(d.map((x) => `${x.code}@${x.line}`)).toEqual(["bad-value@2", "bad-value@3"]);
  });
});
