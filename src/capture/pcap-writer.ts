/** Classic pcap output (Ethernet, nanosecond timestamps), for feeding frames to `tcpdump -r -`. */

/** Global header: magic 0xa1b23c4d (ns), version 2.4, snaplen 262144, linktype 1 (Ethernet). */
export function pcapHeader(): Buffer {
  const g = Buffer.alloc(24);
  g.writeUInt32LE(0xa1b23c4d, 0);
  g.writeUInt16LE(2, 4);
  g.writeUInt16LE(4, 6);
  g.writeUInt32LE(262144, 16);
  g.writeUInt32LE(1, 20);
  return g;
}

/** One record: 16-byte header and the frame. */
export function pcapRecord(tsNs: bigint, frame: Buffer, origLen = frame.length): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt32LE(Number(tsNs / 1_000_000_000n), 0);
  h.writeUInt32LE(Number(tsNs % 1_000_000_000n), 4);
  h.writeUInt32LE(frame.length, 8);
  h.writeUInt32LE(origLen, 12);
  return Buffer.concat([h, frame]);
}
