/**
 * Decapsulating QEMU UDP tunnels: the inner Ethernet frame of a captured UDP
 * datagram. QEMU's `-netdev socket,udp=` sends each guest frame as one UDP
 * datagram's payload, nothing added (QEMU docs, "Network options").
 *
 * Outer layers understood: Ethernet (with 802.1Q/802.1ad tags), Linux cooked
 * capture v1/v2, BSD loopback, raw IP; IPv4 with options; IPv6 with
 * hop-by-hop, routing and destination-options headers. Fragments are not
 * reassembled (QEMU frames fit one datagram on loopback).
 */

/** Why a packet yielded no frame. */
export type DecapSkip = "truncated" | "not-ip" | "not-udp" | "fragment" | "unknown-link";

/** A decapsulated frame: a view into the packet's bytes. */
export interface InnerFrame {
  /** The inner frame's captured bytes (fewer than `length` when the capture was cut by its snapshot length). */
  readonly frame: Buffer;
  /** The inner frame's length on the wire, in bytes (the UDP payload length). */
  readonly length: number;
  readonly srcPort: number;
  readonly dstPort: number;
}

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;

/**
 * @param linktype - pcap link-layer type of `data`
 * @param data - the captured outer packet
 * @param origLen - the outer packet's length on the wire (pcap `orig_len`);
 *   when larger than `data`, the capture cut the packet short, and an inner
 *   frame whose headers were captured is returned cut short too
 * @returns the inner frame, or why there is none
 */
export function decapsulate(
  linktype: number,
  data: Buffer,
  origLen = data.length,
): InnerFrame | DecapSkip {
  const cut = origLen - data.length;
  let off: number;
  let ethertype: number;
  switch (linktype) {
    case 1: {
      // Ethernet: 14 bytes, then any number of 802.1Q (0x8100) / 802.1ad (0x88a8) tags.
      if (data.length < 14) return "truncated";
      off = 12;
      ethertype = data.readUInt16BE(off);
      off += 2;
      while (ethertype === 0x8100 || ethertype === 0x88a8) {
        if (data.length < off + 4) return "truncated";
        ethertype = data.readUInt16BE(off + 2);
        off += 4;
      }
      break;
    }
    case 113: // Linux cooked capture v1: protocol at 14, header 16 bytes
      if (data.length < 16) return "truncated";
      ethertype = data.readUInt16BE(14);
      off = 16;
      break;
    case 276: // Linux cooked capture v2: protocol at 0, header 20 bytes
      if (data.length < 20) return "truncated";
      ethertype = data.readUInt16BE(0);
      off = 20;
      break;
    case 0: {
      // BSD loopback: address family in host byte order
      if (data.length < 4) return "truncated";
      const af = data.readUInt32LE(0) === 2 || data.readUInt32BE(0) === 2 ? ETH_IPV4 : ETH_IPV6;
      ethertype = af;
      off = 4;
      break;
    }
    case 101:
    case 12:
      if (data.length < 1) return "truncated";
      ethertype = (data[0] as number) >> 4 === 6 ? ETH_IPV6 : ETH_IPV4;
      off = 0;
      break;
    default:
      return "unknown-link";
  }
  if (ethertype === ETH_IPV4) return udpOverIpv4(data, off, cut);
  if (ethertype === ETH_IPV6) return udpOverIpv6(data, off, cut);
  return "not-ip";
}

/** RFC 791: IHL counts 32-bit words, options included. */
function udpOverIpv4(data: Buffer, off: number, cut: number): InnerFrame | DecapSkip {
  if (data.length < off + 20) return "truncated";
  const vihl = data[off] as number;
  if (vihl >> 4 !== 4) return "not-ip";
  const ihl = (vihl & 0x0f) * 4;
  if (ihl < 20 || data.length < off + ihl) return "truncated";
  // More-fragments flag or a fragment offset: a piece of a datagram.
  if ((data.readUInt16BE(off + 6) & 0x3fff) !== 0) return "fragment";
  if (data[off + 9] !== 17) return "not-udp";
  const total = data.readUInt16BE(off + 2);
  return udp(data, off + ihl, off + total, cut);
}

/** RFC 8200: walk extension headers to UDP (next header 17). */
function udpOverIpv6(data: Buffer, off: number, cut: number): InnerFrame | DecapSkip {
  if (data.length < off + 40) return "truncated";
  if ((data[off] as number) >> 4 !== 6) return "not-ip";
  const end = off + 40 + data.readUInt16BE(off + 4);
  let next = data[off + 6] as number;
  let at = off + 40;
  for (;;) {
    if (next === 17) return udp(data, at, end, cut);
    if (next === 44) return "fragment";
    if (next !== 0 && next !== 43 && next !== 60) return "not-udp";
    if (data.length < at + 2) return "truncated";
    next = data[at] as number;
    at += ((data[at + 1] as number) + 1) * 8;
  }
}

/**
 * RFC 768: 8-byte header; the length field bounds the payload. Bytes the
 * capture cut off (`cut`) still count as there: the frame comes out short.
 */
function udp(data: Buffer, at: number, ipEnd: number, cut: number): InnerFrame | DecapSkip {
  if (data.length < at + 8) return "truncated";
  const len = data.readUInt16BE(at + 4);
  const end = at + len;
  if (len < 8 || end > ipEnd || end > data.length + cut) return "truncated";
  return {
    frame: data.subarray(at + 8, Math.min(end, data.length)),
    length: len - 8,
    srcPort: data.readUInt16BE(at),
    dstPort: data.readUInt16BE(at + 2),
  };
}
