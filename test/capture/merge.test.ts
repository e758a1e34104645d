import { describe, expect, it, vi } from "vitest";
import { OrderedMerge } from "../../src/capture/merge.js";

describe("OrderedMerge", () => {
  it("releases frames in timestamp order across sources", () => {
    const out: string[] = [];
    const m = new OrderedMerge<string>(2, (x) => out.push(x), 1000);
    m.push(1, 20n, "reply"); // the inbound source was faster to deliver
    expect(out).toEqual([]); // the other source may still have something earlier
    m.push(0, 10n, "request");
    expect(out).toEqual(["request"]);
    m.push(0, 30n, "next");
    expect(out).toEqual(["request", "reply"]);
    m.flush();
    expect(out).toEqual(["request", "reply", "next"]);
  });

  it("does not let an idle source hold frames for longer than idleMs", () => {
    vi.useFakeTimers();
    try {
      const out: string[] = [];
      const m = new OrderedMerge<string>(2, (x) => out.push(x), 5);
      m.push(0, 1n, "a");
      vi.advanceTimersByTime(4);
      expect(out, "held while the other source may still deliver").toEqual([]);
      vi.advanceTimersByTime(1);
      expect(out).toEqual(["a"]);
    } finally {
      vi.useRealTimers();
    }
  });
});
