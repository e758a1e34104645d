/**
 * Deterministic MAC addresses: locally administered unicast (IEEE 802 U/L bit
 * set, I/G bit clear), derived from the lab name, node index and interface
 * index, so a plan is stable and two labs differ in 20 bits.
 *
 * Layout: `H2:HH:HH:NN:NI:II` where H is a 20-bit FNV-1a hash of the lab
 * name, N the node's 1-based index (12 bits), I the interface's 1-based
 * index on its node (12 bits; 0 for the management interface).
 */

/** FNV-1a, 32 bits. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, "utf8")) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Most nodes in one lab, and most interfaces on one node: 12 bits each. */
export const MAX_MAC_INDEX = 0xfff;

/**
 * @param lab - lab name
 * @param nodeIndex - 1-based node index (1..4095)
 * @param ifIndex - 1-based interface index (1..4095); 0 is the management interface `eth0`
 * @throws {RangeError} when an index does not fit its field (the planner checks first)
 */
export function macAddress(lab: string, nodeIndex: number, ifIndex: number): string {
  if (nodeIndex < 1 || nodeIndex > MAX_MAC_INDEX)
    throw new RangeError(`node index ${nodeIndex} out of range 1..${MAX_MAC_INDEX}`);
  if (ifIndex < 0 || ifIndex > MAX_MAC_INDEX)
    throw new RangeError(`interface index ${ifIndex} out of range 1..${MAX_MAC_INDEX}`);
  const h = fnv1a(lab) & 0xfffff;
  const low = (nodeIndex << 12) | ifIndex;
  const bytes = [
    ((h >> 16) << 4) | 0x02,
    (h >> 8) & 0xff,
    h & 0xff,
    low >> 16,
    (low >> 8) & 0xff,
    low & 0xff,
  ];
  return bytes.map((b) => b.toString(16).padStart(2, "0")).join(":");
}
