/**
 * The timestamp merge of several captures, on a fake clock: busy sources
 * interleave at once, an idle source holds the others back for the hold
 * time only, a frame later than that is written at once and counted, and
 * the drain writes what is left in order. Also how `capture`'s words split
 * into NODE IFNAME pairs, nodes, links and the filter.
 */
import { describe, expect, it } from "vitest";
import { TimeMerge } from "../../src/capture/merge.js";
import { captureTargets } from "../../src/capture/targets.js";
import { LabError } from "../../src/errors.js";
import { planOfFile } from "../helpers.js";

type F = { source: number; tsNs: bigint; id: string };
const ms = (n: number) => BigInt(n) * 1_000_000n;

function merged(sources: number, holdMs = 100) {
  let now = ms(10_000);
  const out: string[] = [];
  const m = new TimeMerge<F>(
    sources,
    (f) => out.push(f.id),
    ms(holdMs),
    () => now,
  );
  return {
    m,
    out,
    at: (t: number) => {
      now = ms(t);
    },
    push: (source: number, t: number, id: string) => m.push({ source, tsNs: ms(t), id }),
  };
}

describe("TimeMerge", () => {
  it("writes the oldest head once every source has one", () => {
    const { push, out } = merged(3);
    push(0, 9_950, "a0");
    push(1, 9_951, "b0");
    expect(out).toEqual([]);
    push(2, 9_952, "c0");
    // c0 stays: it is the only frame queued of source 2, and 0 and 1 may still send older ones.
    expect(out).toEqual(["a0"]);
    push(0, 9_955, "a1");
    expect(out).toEqual(["a0", "b0"]);
    push(1, 9_953, "b1");
    expect(out).toEqual(["a0", "b0", "c0"]);
  });

  it("holds frames for an idle source for the hold time only", () => {
    const { m, push, out, at } = merged(2, 100);
    at(10_000);
    push(0, 9_950, "a0");
    push(0, 9_990, "a1");
    m.tick();
    expect(out).toEqual([]);
    at(10_060);
    m.tick();
    expect(out).toEqual(["a0"]);
    at(10_100);
    m.tick();
    expect(out).toEqual(["a0", "a1"]);
    expect(m.pending).toBe(0);
  });

  it("writes a frame that came later than the hold at once, out of order, and counts it", () => {
    const { m, push, out, at } = merged(2, 100);
    at(10_000);
    push(0, 9_800, "a0");
    m.tick();
    expect(out).toEqual(["a0"]);
    push(1, 9_700, "late");
    expect(out).toEqual(["a0", "late"]);
    expect(m.late).toBe(1);
  });

  it("drains what is left in timestamp order, keeping each source's order for equal times", () => {
    const { m, push, out } = merged(3);
    push(0, 9_953, "a0");
    push(2, 9_951, "c0");
    push(2, 9_953, "c1");
    push(0, 9_954, "a1");
    m.drain();
    expect(out).toEqual(["c0", "a0", "c1", "a1"]);
  });

  it("keeps up with many frames in order (10,000 from 4 sources)", () => {
    const { m, out } = merged(4, 1_000_000);
    const frames: F[] = [];
    for (let i = 0; i < 10_000; i++)
      frames.push({ source: i % 4, tsNs: BigInt((i * 7919) % 10_007) * 1000n, id: String(i) });
    // Each source in its own order, sources pushed interleaved.
    const bySource = [0, 1, 2, 3].map((s) =>
      frames.filter((f) => f.source === s).sort((a, b) => Number(a.tsNs - b.tsNs)),
    );
    for (let i = 0; i < 2_500; i++) for (const q of bySource) m.push(q[i] as F);
    m.drain();
    const ts = out.map((id) => frames[Number(id)]?.tsNs as bigint);
    expect(ts).toHaveLength(10_000);
    for (let i = 1; i < ts.length; i++)
      expect((ts[i] as bigint) >= (ts[i - 1] as bigint)).toBe(true);
    expect(m.late).toBe(0);
  });
});

describe("capture's words", () => {
  const plan = planOfFile("examples/six-routers.yml");

  it("takes NODE IFNAME pairs, then the filter", () => {
    expect(
      captureTargets(plan, { words: ["rt1", "eth2", "rt2", "eth1", "icmp", "or", "arp"] }),
    ).toEqual({
      targets: [
        { node: "rt1", ifname: "eth2" },
        { node: "rt2", ifname: "eth1" },
      ],
      filter: ["icmp", "or", "arp"],
    });
  });

  it("adds every interface of --node and each --link, once each", () => {
    const r = captureTargets(plan, {
      words: ["rt1", "eth1", "host", "10.20.10.2"],
      nodes: ["rt1"],
      links: ["br1", "br1"],
    });
    expect(r.targets).toEqual([
      { node: "rt1", ifname: "eth1" },
      { node: "rt1", ifname: "eth2" },
      { node: "rt1", ifname: "eth3" },
      { link: "br1" },
    ]);
    expect(r.filter).toEqual(["host", "10.20.10.2"]);
  });

  it("says which interfaces a node has when a pair names another", () => {
    expect(() => captureTargets(plan, { words: ["rt1", "eth9"] })).toThrow(
      /node "rt1" has no interface "eth9" \(it has: eth1, eth2, eth3\)/,
    );
    expect(() => captureTargets(plan, { words: ["rt1"] })).toThrow(LabError);
  });

  it("refuses nothing to capture, and an unknown --node", () => {
    expect(() => captureTargets(plan, { words: [] })).toThrow(/name what to capture/);
    expect(() => captureTargets(plan, { words: ["icmp"] })).toThrow(/has no node "icmp"/);
    expect(() => captureTargets(plan, { words: [], nodes: ["rt9"] })).toThrow(/has no node "rt9"/);
  });
});
