/**
 * Writing pcapng (draft-ietf-opsawg-pcapng): a Section Header Block, an
 * Interface Description Block per captured interface (named `NODE:IFNAME`,
 * nanosecond timestamps), and an Enhanced Packet Block per frame with its
 * direction in `epb_flags`, so Wireshark shows who sent what. Little-endian.
 */

/** Frame direction as seen from the named interface (epb_flags bits 0-1). */
export type Direction = "inbound" | "outbound" | "unknown";

const LINKTYPE_ETHERNET = 1;

function option(code: number, value: Buffer): Buffer {
  const pad = (4 - (value.length % 4)) % 4;
  const out = Buffer.alloc(4 + value.length + pad);
  out.writeUInt16LE(code, 0);
  out.writeUInt16LE(value.length, 2);
  value.copy(out, 4);
  return out;
}

const END_OF_OPTIONS = Buffer.alloc(4);

function block(type: number, body: Buffer): Buffer {
  const len = 12 + body.length;
  const out = Buffer.alloc(len);
  out.writeUInt32LE(type, 0);
  out.writeUInt32LE(len, 4);
  body.copy(out, 8);
  out.writeUInt32LE(len, len - 4);
  return out;
}

/** Section Header Block, version 1.0, section length unknown. */
export function sectionHeader(application = "wirelab"): Buffer {
  const head = Buffer.alloc(16);
  head.writeUInt32LE(0x1a2b3c4d, 0);
  head.writeUInt16LE(1, 4);
  head.writeUInt16LE(0, 6);
  head.writeBigInt64LE(-1n, 8);
  return block(
    0x0a0d0d0a,
    Buffer.concat([head, option(4, Buffer.from(application)), END_OF_OPTIONS]),
  );
}

/**
 * Interface Description Block for an Ethernet interface.
 *
 * @param name - e.g. `rt1:eth2` (if_name)
 * @param snaplen - bytes kept per frame @default 262144
 */
export function interfaceDescription(name: string, snaplen = 262144): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16LE(LINKTYPE_ETHERNET, 0);
  head.writeUInt32LE(snaplen, 4);
  // if_tsresol 9: timestamps count nanoseconds.
  return block(
    0x00000001,
    Buffer.concat([
      head,
      option(2, Buffer.from(name)),
      option(9, Buffer.from([9])),
      END_OF_OPTIONS,
    ]),
  );
}

/**
 * Enhanced Packet Block.
 *
 * @param interfaceId - index of the interface's IDB in the section (0-based)
 * @param tsNs - capture time, ns since the epoch
 * @param frame - the Ethernet frame
 * @param origLen - its length on the wire, in bytes @default frame.length
 */
export function enhancedPacket(
  interfaceId: number,
  tsNs: bigint,
  frame: Buffer,
  direction: Direction,
  origLen = frame.length,
): Buffer {
  // One allocation per frame (this is the capture's hot path): block header,
  // EPB fields, padded frame, epb_flags option, end of options, trailer.
  const padded = (frame.length + 3) & ~3;
  const len = 8 + 20 + padded + 8 + 4 + 4;
  const out = Buffer.allocUnsafe(len);
  out.writeUInt32LE(0x00000006, 0);
  out.writeUInt32LE(len, 4);
  out.writeUInt32LE(interfaceId, 8);
  out.writeUInt32LE(Number(tsNs >> 32n), 12);
  out.writeUInt32LE(Number(tsNs & 0xffffffffn), 16);
  out.writeUInt32LE(frame.length, 20);
  out.writeUInt32LE(origLen, 24);
  frame.copy(out, 28);
  out.fill(0, 28 + frame.length, 28 + padded);
  let at = 28 + padded;
  out.writeUInt16LE(2, at); // epb_flags
  out.writeUInt16LE(4, at + 2);
  out.writeUInt32LE(direction === "inbound" ? 1 : direction === "outbound" ? 2 : 0, at + 4);
  at += 8;
  out.writeUInt32LE(0, at); // opt_endofopt
  out.writeUInt32LE(len, at + 4);
  return out;
}
