import { afterEach, describe, expect, it, vi } from "vitest";
import { DirectionOracle } from "../../src/capture/direction.js";
import { captureSources } from "../../src/capture/sources.js";

/** A LINUX_SLL2 header (20 bytes) with the given packet type. */
const sll2 = (pkttype: number) => {
  const b = Buffer.alloc(21);
  b[10] = pkttype;
  return b;
};
const OUT = 4;
const HOST = 0;

afterEach(() => {
  vi.useRealTimers();
});

describe("DirectionOracle", () => {
  it("hands frames on in the device capture's order, whichever capture is ahead", () => {
    const out: string[] = [];
    const o = new DirectionOracle<string>((f, d) => out.push(`${f} ${d}`));
    // The request's type comes late, the reply's early: order stays the device capture's.
    o.frame(1n, "request");
    o.packet(2n, sll2(HOST));
    o.frame(2n, "reply");
    expect(out).toEqual([]);
    o.packet(1n, sll2(OUT));
    expect(out).toEqual(["request outbound", "reply inbound"]);
  });

  it("reverses directions on a VM's tap", () => {
    const out: string[] = [];
    const o = new DirectionOracle<string>((f, d) => out.push(`${f} ${d}`), true);
    o.packet(1n, sll2(OUT));
    o.packet(2n, sll2(HOST));
    o.frame(1n, "to the guest");
    o.frame(2n, "from the guest");
    expect(out).toEqual(["to the guest inbound", "from the guest outbound"]);
  });

  it("skips the types of frames the device capture's filter left out", () => {
    const out: string[] = [];
    const o = new DirectionOracle<string>((f, d) => out.push(`${f} ${d}`));
    for (let ts = 1n; ts <= 100n; ts++) o.packet(ts, sll2(ts % 2n ? OUT : HOST));
    o.frame(50n, "fifty");
    o.frame(51n, "fifty-one");
    expect(out).toEqual(["fifty inbound", "fifty-one outbound"]);
  });

  it("matches two packets of one timestamp in turn", () => {
    const out: string[] = [];
    const o = new DirectionOracle<string>((f, d) => out.push(`${f} ${d}`));
    o.packet(7n, sll2(OUT));
    o.packet(7n, sll2(HOST));
    o.frame(7n, "a");
    o.frame(7n, "b");
    expect(out).toEqual(["a outbound", "b inbound"]);
  });

  it("gives up on a type that does not come: direction unknown after the wait, order kept", () => {
    vi.useFakeTimers();
    const out: string[] = [];
    const o = new DirectionOracle<string>((f, d) => out.push(`${f} ${d}`), false, 1000);
    o.frame(1n, "lost");
    o.frame(2n, "next");
    o.packet(2n, sll2(HOST));
    expect(out).toEqual([]);
    vi.advanceTimersByTime(1100);
    expect(out).toEqual(["lost unknown", "next inbound"]);
  });

  it("hands on everything held when flushed", () => {
    const out: string[] = [];
    const o = new DirectionOracle<string>((f, d) => out.push(`${f} ${d}`));
    o.frame(1n, "a");
    o.frame(2n, "b");
    o.flush();
    expect(out).toEqual(["a unknown", "b unknown"]);
  });
});

describe("capture sources", () => {
  const ctx = { ports: { udp: { "l:v1:eth1": 20001 }, tcp: {} }, wireControl: "/x/control.sock" };

  it("watch a device with one tcpdump, and its directions from the any device by ifindex", () => {
    const [src, ...more] = captureSources(
      { type: "device", device: "eth1", namespace: "wl-l-n1" },
      ["icmp"],
      { ...ctx, ifindex: 7 },
    );
    expect(more).toEqual([]);
    expect(src?.argv.join(" ")).toBe(
      "ip netns exec wl-l-n1 tcpdump -i eth1 --nano -U --immediate-mode -B 65536 -s 262144 -w - icmp",
    );
    expect(src?.directions?.argv.join(" ")).toBe(
      "ip netns exec wl-l-n1 tcpdump -i any -y LINUX_SLL2 --nano -U --immediate-mode -B 65536 -s 1 -w - ifindex 7",
    );
    expect(src?.directions?.reversed).toBe(false);
  });

  it("tell no direction on a bridge segment", () => {
    const srcs = captureSources(
      { type: "device", device: "br1", namespace: "wl-l", segment: true },
      [],
      ctx,
    );
    expect(srcs).toHaveLength(1);
    expect(srcs[0]?.directions).toBeUndefined();
    expect(srcs[0]?.direction).toBe("unknown");
  });
});
