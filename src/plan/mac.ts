/**
 * Deterministic MAC addresses: locally administered unicast (IEEE 802 U/L bit
 * set, I/G bit clear), derived from the lab name, node index and interface
 * index, so a plan is stable and two labs differ in 20 bits.
 *
 * Layout: `H2:HH:HH:NN:NN:II` where H is a 20-bit FNV-1a hash of the lab
 * name, N the node's 1-based index, I the interface's 1-based index.
 */

/** FNV-1a, 32 bits. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, "utf8")) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * @param lab - lab name
 * @param nodeIndex - 1-based node index (1..65535)
 * @param ifIndex - 1-based interface index (1..255)
 * @throws {RangeError} when an index does not fit its field
 */
export function macAddress(lab: string, nodeIndex: number, ifIndex: number): string {
  if (nodeIndex < 1 || nodeIndex > 0xffff) throw new RangeError(`node index ${nodeIndex} out of range 1..65535`);
  if (ifIndex < 1 || ifIndex > 0xff) throw new RangeError(`interface index ${ifIndex} out of range 1..255`);
  const h = fnv1a(lab) & 0xfffff;
  const bytes = [((h >> 16) << 4) | 0x02, (h >> 8) & 0xff, h & 0xff, nodeIndex >> 8, nodeIndex & 0xff, ifIndex];
  return bytes.map((b) => b.toString(16).padStart(2, "0")).join(":");
}
