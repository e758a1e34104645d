import { describe, expect, it } from "vitest";
import { decapsulate } from "../../src/capture/decap.js";
import { PcapReader, type PcapRecord } from "../../src/capture/pcap-reader.js";
import {
  ethernet,
  hex,
  ipv4,
  ipv6WithHopByHop,
  loopbackEthernet,
  pcapStream,
  udp,
} from "./packets.js";

const lldp = ethernet("01:80:c2:00:00:0e", "52:54:00:12:34:56", 0x88cc, Buffer.alloc(46, 0xab));
const tagged = ethernet(
  "ff:ff:ff:ff:ff:ff",
  "52:54:00:12:34:56",
  0x8100,
  Buffer.concat([hex("0064 0806"), Buffer.alloc(28, 1)]),
);

/** The inner frame of a decapsulated packet, failing with the reason when it was skipped. */
function innerOf(r: ReturnType<typeof decapsulate>): Buffer {
  if (typeof r === "string") throw new Error(`skipped: ${r}`);
  return r.frame;
}

describe("decapsulate", () => {
  it("strips Ethernet + IPv4 (with options) + UDP, keeping ports", () => {
    const outer = loopbackEthernet(0x0800, ipv4(udp(40000, 40001, lldp), 2));
    const r = decapsulate(1, outer);
    expect(r).toMatchObject({ srcPort: 40000, dstPort: 40001 });
    expect(innerOf(r)).toEqual(lldp);
  });

  it("walks IPv6 extension headers to UDP", () => {
    const r = decapsulate(1, loopbackEthernet(0x86dd, ipv6WithHopByHop(udp(1, 2, lldp))));
    expect(innerOf(r)).toEqual(lldp);
  });

  it("passes VLAN-tagged inner frames through untouched", () => {
    const r = decapsulate(1, loopbackEthernet(0x0800, ipv4(udp(1, 2, tagged))));
    expect(innerOf(r)).toEqual(tagged);
  });

  it("reads an outer 802.1Q tag, Linux cooked captures and raw IP", () => {
    const l3 = ipv4(udp(1, 2, lldp));
    const q = ethernet(
      "02:00:00:00:00:01",
      "02:00:00:00:00:02",
      0x8100,
      Buffer.concat([hex("0005 0800"), l3]),
    );
    const sll2 = Buffer.concat([hex("0800 0000 00000001 0304 0006 020000000002 0000"), l3]);
    for (const [lt, data] of [
      [1, q],
      [276, sll2],
      [101, l3],
    ] as const) {
      const r = decapsulate(lt, data);
      expect(innerOf(r)).toEqual(lldp);
    }
  });

  it("keeps a frame the capture's snapshot length cut short, with its length on the wire", () => {
    const full = loopbackEthernet(0x0800, ipv4(udp(1, 2, lldp)));
    const r = decapsulate(1, full.subarray(0, full.length - 5), full.length);
    expect(typeof r).toBe("object");
    if (typeof r === "string") return;
    expect(r.length).toBe(lldp.length);
    expect(r.frame).toEqual(lldp.subarray(0, lldp.length - 5));
    // Headers cut off still cannot be read; a UDP length past the IP packet is malformed.
    expect(decapsulate(1, full.subarray(0, 30), full.length)).toBe("truncated");
  });

  it("names what it skips instead of failing", () => {
    const full = loopbackEthernet(0x0800, ipv4(udp(1, 2, lldp)));
    expect(decapsulate(1, full.subarray(0, 30))).toBe("truncated");
    expect(decapsulate(1, full.subarray(0, full.length - 5))).toBe("truncated");
    expect(decapsulate(1, loopbackEthernet(0x0806, Buffer.alloc(28)))).toBe("not-ip");
    expect(decapsulate(1, loopbackEthernet(0x0800, ipv4(udp(1, 2, lldp), 0, 0x2000)))).toBe(
      "fragment",
    );
    const tcp = ipv4(udp(1, 2, lldp));
    tcp[9] = 6;
    expect(decapsulate(1, loopbackEthernet(0x0800, tcp))).toBe("not-udp");
    expect(decapsulate(147, full)).toBe("unknown-link");
  });
});

describe("PcapReader", () => {
  const packet = loopbackEthernet(0x0800, ipv4(udp(1, 2, lldp)));
  const stream = pcapStream([
    { sec: 1700000000, usec: 123456, data: packet },
    { sec: 1700000001, usec: 1, data: packet },
  ]);

  it("passes each record on as soon as it is whole, however the stream is cut", () => {
    for (const cut of [1, 7, 23, 24, 25, 40, 100, stream.length - 1]) {
      const got: PcapRecord[] = [];
      const reader = new PcapReader((r) => got.push({ ...r, data: Buffer.from(r.data) }));
      reader.push(stream.subarray(0, cut));
      const before = got.length;
      reader.push(stream.subarray(cut));
      expect(got).toHaveLength(2);
      expect(before).toBeLessThanOrEqual(2);
      expect(got[0]?.tsNs).toBe(1700000000123456000n);
      expect(got[0]?.data).toEqual(packet);
    }
  });

  it("holds back a truncated record, and stops at a malformed one without throwing", () => {
    const got: PcapRecord[] = [];
    const reader = new PcapReader((r) => got.push(r));
    reader.push(stream.subarray(0, stream.length - 3));
    expect(got).toHaveLength(1);
    const bad = Buffer.from(stream);
    bad.writeUInt32LE(0x7fffffff, 24 + 8); // first record claims 2 GiB
    const reader2 = new PcapReader(() => undefined);
    reader2.push(bad);
    expect(reader2.stats).toEqual({ records: 0, malformed: 1 });
  });

  it("refuses a stream that is not pcap", () => {
    expect(() => new PcapReader(() => undefined).push(Buffer.alloc(24, 7))).toThrow(
      /not a pcap stream/,
    );
  });
});
