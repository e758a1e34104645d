/** Builders of outer packets for decapsulation tests (crafted, byte by byte). */

export const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");

/** An inner Ethernet frame: dst, src, ethertype, payload. */
export function ethernet(dst: string, src: string, ethertype: number, payload: Buffer): Buffer {
  const t = Buffer.alloc(2);
  t.writeUInt16BE(ethertype);
  return Buffer.concat([hex(dst.replace(/:/g, "")), hex(src.replace(/:/g, "")), t, payload]);
}

export function udp(src: number, dst: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(src, 0);
  h.writeUInt16BE(dst, 2);
  h.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([h, payload]);
}

/** IPv4 with `optionWords` 32-bit words of options (NOPs). */
export function ipv4(payload: Buffer, optionWords = 0, flagsFragment = 0): Buffer {
  const ihl = 5 + optionWords;
  const h = Buffer.alloc(ihl * 4, 1); // option bytes 0x01 = NOP
  h[0] = 0x40 | ihl;
  h[1] = 0;
  h.writeUInt16BE(ihl * 4 + payload.length, 2);
  h.writeUInt16BE(0, 4);
  h.writeUInt16BE(flagsFragment, 6);
  h[8] = 64;
  h[9] = 17;
  h.writeUInt16BE(0, 10);
  hex("7f000001").copy(h, 12);
  hex("7f000001").copy(h, 16);
  return Buffer.concat([h, payload]);
}

/** IPv6 with one hop-by-hop options header (8 bytes) before UDP. */
export function ipv6WithHopByHop(payload: Buffer): Buffer {
  const hbh = Buffer.alloc(8);
  hbh[0] = 17; // next header: UDP
  hbh[1] = 0; // 8 bytes in all
  const h = Buffer.alloc(40);
  h[0] = 0x60;
  h.writeUInt16BE(hbh.length + payload.length, 4);
  h[6] = 0; // hop-by-hop
  h[7] = 64;
  h[23] = 1;
  h[39] = 1;
  return Buffer.concat([h, hbh, payload]);
}

/** The 14-byte Ethernet header tcpdump puts on loopback packets. */
export function loopbackEthernet(ethertype: number, l3: Buffer): Buffer {
  return ethernet("00:00:00:00:00:00", "00:00:00:00:00:00", ethertype, l3);
}

/** A classic pcap stream (µs timestamps, little-endian) of Ethernet records. */
export function pcapStream(
  records: { sec: number; usec: number; data: Buffer }[],
  linktype = 1,
): Buffer {
  const g = Buffer.alloc(24);
  g.writeUInt32LE(0xa1b2c3d4, 0);
  g.writeUInt16LE(2, 4);
  g.writeUInt16LE(4, 6);
  g.writeUInt32LE(262144, 16);
  g.writeUInt32LE(linktype, 20);
  const parts: Buffer[] = [g];
  for (const r of records) {
    const h = Buffer.alloc(16);
    h.writeUInt32LE(r.sec, 0);
    h.writeUInt32LE(r.usec, 4);
    h.writeUInt32LE(r.data.length, 8);
    h.writeUInt32LE(r.data.length, 12);
    parts.push(h, r.data);
  }
  return Buffer.concat(parts);
}
