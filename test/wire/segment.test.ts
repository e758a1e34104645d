import { afterEach, describe, expect, it, vi } from "vitest";
import { formatImpairment, NO_IMPAIRMENT, parseImpairment } from "../../src/impairment.js";
import { Impairer } from "../../src/wire/impairer.js";
import { WireSegment } from "../../src/wire/segment.js";
import { TimerQueue } from "../../src/wire/timer-queue.js";

const mac = (n: number) => Buffer.from([2, 0, 0, 0, 0, n]);
const BROADCAST = Buffer.alloc(6, 0xff);
const LLDP = Buffer.from("0180c200000e", "hex");
const frame = (dst: Buffer, src: Buffer, type = 0x88cc) =>
  Buffer.concat([dst, src, Buffer.from([type >> 8, type & 0xff]), Buffer.alloc(46)]);

function segment(mode: "hub" | "switch" | "relay", n: number) {
  const got: Buffer[][] = Array.from({ length: n }, () => []);
  const seg = new WireSegment(
    "lan",
    mode,
    got.map((g, i) => ({ name: `n${i}:eth1`, send: (f: Buffer) => g.push(f) })),
  );
  return { seg, got };
}

describe("wire segment", () => {
  it("hub: every frame to every other port, never back to its sender (LLDP included)", () => {
    const { seg, got } = segment("hub", 3);
    seg.receive(0, frame(LLDP, mac(1)));
    expect(got.map((g) => g.length)).toEqual([0, 1, 1]);
    seg.receive(2, frame(mac(1), mac(3), 0x0800));
    expect(got.map((g) => g.length)).toEqual([1, 2, 1]);
  });

  it("switch: learns source MACs, sends known unicast to one port, floods the rest", () => {
    const { seg, got } = segment("switch", 3);
    seg.receive(1, frame(BROADCAST, mac(2), 0x0806));
    expect(got.map((g) => g.length)).toEqual([1, 0, 1]);
    seg.receive(0, frame(mac(2), mac(1), 0x0800));
    expect(got.map((g) => g.length)).toEqual([1, 1, 1]);
    // Unknown unicast floods; group addresses always flood.
    seg.receive(0, frame(mac(9), mac(1), 0x0800));
    seg.receive(0, frame(LLDP, mac(1)));
    expect(got.map((g) => g.length)).toEqual([1, 3, 3]);
  });

  it("counts datagrams too short for a frame and carries nothing while a port is down", () => {
    const { seg, got } = segment("relay", 2);
    seg.receive(0, Buffer.alloc(10));
    expect(seg.stats[0]?.malformed).toBe(1);
    seg.setUp(1, false);
    seg.receive(0, frame(mac(2), mac(1)));
    seg.receive(1, frame(mac(1), mac(2)));
    expect(got.map((g) => g.length)).toEqual([0, 0]);
    expect((seg.stats[0]?.down ?? 0) + (seg.stats[1]?.down ?? 0)).toBe(2);
    seg.setUp(1, true);
    seg.receive(0, frame(mac(2), mac(1)));
    expect(got.map((g) => g.length)).toEqual([0, 1]);
  });

  it("shows captures each frame as sent (rx) and as handed on (tx)", () => {
    const { seg } = segment("hub", 3);
    const seen: string[] = [];
    const untap = seg.tap((f) => seen.push(`${f.way}${f.port}`));
    seg.receive(0, frame(LLDP, mac(1)));
    untap();
    seg.receive(0, frame(LLDP, mac(1)));
    expect(seen).toEqual(["rx0", "tx1", "tx2"]);
  });
});

describe("impairer", () => {
  afterEach(() => vi.useRealTimers());

  it("delays by a timer queue: frames leave after the delay, in order, none waits on another", () => {
    vi.useFakeTimers();
    const out: number[] = [];
    const imp = new Impairer(
      (f) => out.push(f[0] as number),
      Math.random,
      () => Date.now(),
    );
    imp.set({ ...NO_IMPAIRMENT, delayMs: 10 });
    for (let i = 0; i < 1000; i++) imp.send(Buffer.from([i % 256]));
    expect(out).toHaveLength(0);
    vi.advanceTimersByTime(9);
    expect(out).toHaveLength(0);
    vi.advanceTimersByTime(2);
    expect(out).toHaveLength(1000);
    expect(out.slice(0, 3)).toEqual([0, 1, 2]);
  });

  it("drops, duplicates and corrupts by the given percentages", () => {
    let r = 0;
    const seq = [0.005, 0.5, 0.5, 0.5, 0.5]; // first frame lost (0.5% < 1%), the next passes
    const out: Buffer[] = [];
    const imp = new Impairer(
      (f) => out.push(f),
      () => seq[r++ % seq.length] as number,
    );
    imp.set({ ...NO_IMPAIRMENT, lossPct: 1 });
    imp.send(Buffer.alloc(60));
    imp.send(Buffer.alloc(60));
    expect(out).toHaveLength(1);
    expect(imp.stats.lost).toBe(1);
    imp.set({ ...NO_IMPAIRMENT, duplicatePct: 100, corruptPct: 100 });
    const original = Buffer.alloc(60);
    imp.send(original);
    expect(out).toHaveLength(3);
    expect(original, "the sender's frame is never changed").toEqual(Buffer.alloc(60));
    expect(out[1], "the corrupted copy differs").not.toEqual(original);
  });

  it("limits the rate: frames leave spaced by their size, and a full queue drops", () => {
    vi.useFakeTimers();
    const out: number[] = [];
    const imp = new Impairer(
      () => out.push(Date.now()),
      Math.random,
      () => Date.now(),
    );
    // 1000 kbit/s: a 1250-byte frame takes 10 ms.
    imp.set({ ...NO_IMPAIRMENT, rateKbit: 1000 });
    for (let i = 0; i < 30; i++) imp.send(Buffer.alloc(1250));
    vi.advanceTimersByTime(1000);
    expect(out.length).toBeGreaterThanOrEqual(20);
    expect(out.length).toBeLessThan(30);
    expect(imp.stats.overflow).toBe(30 - out.length);
    expect((out[5] as number) - (out[4] as number)).toBe(10);
  });
});

describe("timer queue", () => {
  afterEach(() => vi.useRealTimers());

  it("releases items in due order, equal dues in arrival order, FIFO and heap mixed", () => {
    vi.useFakeTimers();
    const out: string[] = [];
    const q = new TimerQueue<string>(
      (x) => out.push(x),
      () => Date.now(),
    );
    const t = Date.now();
    for (const [due, name] of [
      [10, "a"],
      [20, "b"],
      [5, "c"],
      [20, "d"],
      [15, "e"],
      [30, "f"],
      [15, "g"],
    ] as const) {
      q.push(t + due, name);
    }
    expect(q.size).toBe(7);
    vi.advanceTimersByTime(16);
    expect(out).toEqual(["c", "a", "e", "g"]);
    vi.advanceTimersByTime(20);
    expect(out).toEqual(["c", "a", "e", "g", "b", "d", "f"]);
    expect(q.size).toBe(0);
  });
});

describe("impairment syntax", () => {
  it("reads netem-style values and numbers in default units", () => {
    expect(parseImpairment({ delay: "20ms", jitter: 2, loss: "1%", rate: "10mbit" })).toEqual({
      ...NO_IMPAIRMENT,
      delayMs: 20,
      jitterMs: 2,
      lossPct: 1,
      rateKbit: 10_000,
    });
    expect(formatImpairment({ ...NO_IMPAIRMENT, delayMs: 20, lossPct: 1 })).toBe(
      "delay 20ms, loss 1%",
    );
  });

  it("says what it accepts", () => {
    expect(parseImpairment({ delay: "fast", loss: "150%" })).toEqual([
      { key: "delay", message: expect.stringContaining("expected a time") },
      { key: "loss", message: expect.stringContaining("0% to 100%") },
    ]);
  });
});
