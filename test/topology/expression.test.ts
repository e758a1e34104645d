import { describe, expect, it } from "vitest";
import {
  EvaluationError,
  evaluate,
  pyFunction,
  type Scope,
  type Value,
} from "../../src/topology/expression/evaluate.js";
import { ExpressionSyntaxError, parseExpression } from "../../src/topology/expression/parse.js";
import { parseTemplate, renderTemplate } from "../../src/topology/expression/template.js";

const ev = (text: string, scope: Scope = {}): Value => evaluate(parseExpression(text), scope);

const nodes: Scope = {
  nodes: {
    dut: {
      loopback: { ipv4: "10.0.0.1/32" },
      interfaces: [{ ifname: "eth1", ipv4: "10.1.0.1/30" }],
      ospf: { router_id: "10.0.0.1" },
    },
    x1: { interfaces: [{ ifname: "eth1", ipv4: "10.1.0.2/30" }] },
  },
};

describe("netlab's validation expressions (a Python subset)", () => {
  it("reads the topology as netlab's plugin arguments do", () => {
    expect(ev("nodes.dut.ospf.router_id", nodes)).toBe("10.0.0.1");
    expect(ev("nodes.dut.interfaces[0].ipv4", nodes)).toBe("10.1.0.1/30");
    expect(ev("nodes['x1'].interfaces[-1].ifname", nodes)).toBe("eth1");
    expect(
      ev(
        "nodes.dut.loopback.ipv4 if 'loopback' in nodes.dut else nodes.dut.interfaces[0].ipv4",
        nodes,
      ),
    ).toBe("10.0.0.1/32");
    expect(
      ev(
        "nodes.x1.loopback.ipv4 if 'loopback' in nodes.x1 else nodes.x1.interfaces[0].ipv4",
        nodes,
      ),
    ).toBe("10.1.0.2/30");
  });

  it("calls with positional and keyword arguments, and literals of every kind", () => {
    const seen: unknown[] = [];
    const scope: Scope = {
      ...nodes,
      bgp_prefix: pyFunction("bgp_prefix", (args, kwargs) => {
        seen.push([args, kwargs]);
        return true;
      }),
    };
    expect(
      ev(
        "bgp_prefix('172.42.42.0/24', nh=nodes.dut.loopback.ipv4, community={'community': '65000:1'}, count=3, x=[1, 2.5, True, None])",
        scope,
      ),
    ).toBe(true);
    expect(seen).toEqual([
      [
        ["172.42.42.0/24"],
        {
          nh: "10.0.0.1/32",
          community: { community: "65000:1" },
          count: 3,
          x: [1, 2.5, true, null],
        },
      ],
    ]);
  });

  it("has Python's truth, comparisons, in, and/or and arithmetic", () => {
    const out = { stdout: "64 bytes from 10.0.0.1: icmp_seq=1\n", n: 0, list: [1, 2] };
    expect(ev("'bytes from' in stdout", out)).toBe(true);
    expect(ev("'Frag needed' not in stdout", out)).toBe(true);
    expect(ev("'2001:db8' in stdout and '/128' in stdout", out)).toBe(false);
    expect(ev("n or 'fallback'", out)).toBe("fallback");
    expect(ev("list and list[1] == 2", out)).toBe(true);
    expect(ev("1 < 2 < 3 and not 3 <= 2", out)).toBe(true);
    expect(ev("[1, 2] == list and {'a': 1} == {'a': 1}", out)).toBe(true);
    expect(ev("2 ** 3 + 7 // 2 - 10 % 4", out)).toBe(9);
    expect(ev("len(stdout.split()) > 2 and stdout.startswith('64')", out)).toBe(true);
    expect(ev("re.search('icmp_seq=(\\\\d+)', stdout).group(1)", out)).toBe("1");
    expect(ev("stdout[0:2] + 'x' * 2", out)).toBe("64xx");
  });

  it("reads netlab's valid expressions over FRR's JSON", () => {
    const result: Scope = {
      default: { "10.0.0.1": [{ nbrPriority: 200, nbrState: "Full/DR" }] },
      neighbors: [{ priority: 0 }],
    };
    expect(ev('default["10.0.0.1"][0].nbrPriority == 200', result)).toBe(true);
    expect(ev("neighbors[0].priority == 0", result)).toBe(true);
  });

  it("says what is missing, without reaching anything but its values", () => {
    expect(() => ev("nodes.dut.bgp.as", nodes)).toThrow(
      /nodes.dut has no "bgp" \(it has loopback, interfaces, ospf\)/,
    );
    expect(() => ev("nodes.dut.interfaces[3]", nodes)).toThrow(/has no item 3 \(it has 1\)/);
    expect(() => ev("node.name", nodes)).toThrow(EvaluationError);
    expect(() => ev("open('/etc/passwd')", {})).toThrow(/name "open" is not defined/);
    for (const bad of [
      "__import__('os')",
      "x.__class__",
      "lambda: 1",
      "[x for x in y]",
      "import os",
      "a = 1",
    ]) {
      expect(() => parseExpression(bad), bad).toThrow(ExpressionSyntaxError);
    }
  });

  it("gives the offset of a syntax error", () => {
    try {
      parseExpression("ospf_neighbor(nodes.dut.ospf.router_id");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ExpressionSyntaxError);
      expect((e as ExpressionSyntaxError).message).toBe('expected ")" at the end');
      expect((e as ExpressionSyntaxError).offset).toBe(38);
    }
  });
});

describe("netlab's {{ }} templates in show, exec and valid", () => {
  it("fills in expressions of the node's data and hostvars", () => {
    const t = parseTemplate(
      "ip ospf neighbor {{ hostvars.dut.ospf.router_id }} json on {{ interfaces[0].ifname }}",
    );
    const node = nodes.nodes as Record<string, Value>;
    expect(renderTemplate(t, { ...(node.x1 as Record<string, Value>), hostvars: node })).toBe(
      "ip ospf neighbor 10.0.0.1 json on eth1",
    );
  });

  it("refuses Jinja2 statements and filters, at their place", () => {
    expect(() => parseTemplate("{% for n in bgp.neighbors %}x{% endfor %}")).toThrow(/statements/);
    expect(() => parseTemplate("{{ x|replace('.','') }}")).toThrow(/filters/);
    expect(() => parseTemplate("a {{ b")).toThrow(/not closed/);
  });
});
