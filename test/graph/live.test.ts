/**
 * The live page's pure parts: where Graphviz puts each element (tiers top
 * to bottom), an edge's state from its ends, the commands offered for an
 * edge, and the page's element ids.
 */
import { describe, expect, it } from "vitest";
import { defaultRunner } from "../../src/exec.js";
import { edgeCommands } from "../../src/graph/commands.js";
import { layoutOf } from "../../src/graph/layout.js";
import { edgeKey, edgeState, type LiveEndpoint } from "../../src/graph/live.js";
import { labGraph } from "../../src/graph/model.js";
import { NO_IMPAIRMENT } from "../../src/impairment.js";
import { planOfFile } from "../helpers.js";

describe("layout", () => {
  it("places every node and LAN, tiers top to bottom (leaf-spine)", async () => {
    const g = labGraph(planOfFile("examples/leaf-spine.yml"));
    const at = await layoutOf(g, defaultRunner);
    for (const n of g.nodes) expect(at.has(n.id), n.id).toBe(true);
    const y = (tier: number) =>
      g.nodes.filter((n) => n.tier === tier).map((n) => at.get(n.id)?.y ?? NaN);
    expect(g.tiers).toBe(3);
    // Screen coordinates: a higher tier has a smaller y; every node of a tier on one line.
    expect(new Set(y(0)).size).toBe(1);
    expect(Math.max(...y(0))).toBeLessThan(Math.min(...y(1)));
    expect(Math.max(...y(1))).toBeLessThan(Math.min(...y(2)));
  });

  it("places a LAN's node (lan)", async () => {
    const g = labGraph(planOfFile("examples/lan.yml"));
    const at = await layoutOf(g, defaultRunner);
    expect([...at.keys()].sort()).toEqual(["a", "b", "c", "lan1"]);
  });
});

const end = (over: Partial<LiveEndpoint>): LiveEndpoint => ({
  node: "a",
  ifname: "eth1",
  operstate: "UP",
  ...over,
});

describe("edge state", () => {
  it("is up when every end carries and nothing is impaired", () => {
    expect(edgeState([end({}), end({ node: "b", operstate: "UNKNOWN" })])).toBe("up");
    expect(edgeState([end({ operstate: "n/a", up: true, impair: NO_IMPAIRMENT })])).toBe("up");
  });
  it("is down when an end is cut on the daemon, has no carrier, or is missing", () => {
    expect(edgeState([end({}), end({ up: false })])).toBe("down");
    expect(edgeState([end({ operstate: "LOWERLAYERDOWN" })])).toBe("down");
    expect(edgeState([end({ operstate: "DOWN" })])).toBe("down");
    expect(edgeState([end({ operstate: "MISSING" })])).toBe("down");
  });
  it("is impaired when what an end sends or receives is, and down wins over impaired", () => {
    const delayed = { ...NO_IMPAIRMENT, delayMs: 5 };
    expect(edgeState([end({ impair: delayed })])).toBe("impaired");
    expect(edgeState([end({ receives: delayed })])).toBe("impaired");
    expect(edgeState([end({ impair: delayed }), end({ operstate: "DOWN" })])).toBe("down");
  });
});

describe("edge ids and commands", () => {
  const g = labGraph(planOfFile("examples/six-routers.yml"));
  const p2p = g.edges.find((e) => e.link === "br2");
  const port = g.edges.find((e) => e.link === "br1" && e.from === "h1");

  it("names a p2p link by its link, a LAN port by LAN, node and interface", () => {
    expect(p2p && edgeKey(p2p)).toBe("link:br2");
    expect(port && edgeKey(port)).toBe("port:br1:h1:eth1");
    expect(new Set(g.edges.map(edgeKey)).size).toBe(g.edges.length);
  });

  it("offers the exact capture and link commands of both ends", () => {
    if (!p2p) throw new Error("no br2");
    const commands = edgeCommands("six-routers", p2p).map((c) => c.command);
    expect(commands).toEqual([
      "wirelab capture --lab six-routers --link br2 -w - | wireshark -k -i -",
      "wirelab capture --lab six-routers rt1 eth2 -w - | wireshark -k -i -",
      "wirelab link impair --lab six-routers rt1 eth2 --direction out --delay 50ms",
      "wirelab link impair --lab six-routers rt1 eth2 --clear",
      "wirelab link down --lab six-routers rt1 eth2",
      "wirelab link up --lab six-routers rt1 eth2",
      "wirelab capture --lab six-routers rt2 eth1 -w - | wireshark -k -i -",
      "wirelab link impair --lab six-routers rt2 eth1 --direction out --delay 50ms",
      "wirelab link impair --lab six-routers rt2 eth1 --clear",
      "wirelab link down --lab six-routers rt2 eth1",
      "wirelab link up --lab six-routers rt2 eth1",
    ]);
  });

  it("quotes what sh would not read literally", () => {
    if (!port) throw new Error("no br1 port");
    const [first] = edgeCommands("lab with 'quote'", port);
    expect(first?.command).toBe(
      "wirelab capture --lab 'lab with '\\''quote'\\''' --link br1 -w - | wireshark -k -i -",
    );
  });
});
