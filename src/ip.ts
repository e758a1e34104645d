/**
 * IP address arithmetic on ipaddr.js: parsing CIDRs, host indexes in a
 * subnet, carving subnets out of pools. Addresses are kept as strings in
 * canonical form (RFC 5952 for IPv6) everywhere else.
 */
import ipaddr from "ipaddr.js";

/** Address family, named as in the topology (`ipv4`, `ipv6`). */
export type Family = "ipv4" | "ipv6";

/** A parsed prefix such as 10.1.0.0/30. */
export interface Cidr {
  readonly family: Family;
  /** The address as written (may have host bits, for interface addresses). */
  readonly address: string;
  readonly length: number;
  /** Bits in the address family: 32 or 128. */
  readonly bits: number;
  /** Address as an integer. */
  readonly value: bigint;
}

/**
 * Parses `addr/len`.
 *
 * @param text - e.g. `10.20.10.1/24` or `2001:db8::1/64`
 * @returns the parsed CIDR, or undefined when it is not one
 */
export function parseCidr(text: string): Cidr | undefined {
  if (!text.includes("/")) return undefined;
  try {
    const [addr, length] = ipaddr.parseCIDR(text);
    const family: Family = addr.kind() === "ipv4" ? "ipv4" : "ipv6";
    return {
      family,
      address: addr.toString(),
      length,
      bits: family === "ipv4" ? 32 : 128,
      value: toBigInt(addr),
    };
  } catch {
    return undefined;
  }
}

/** Parses a bare address; undefined when it is not one. */
export function parseAddress(
  text: string,
): { family: Family; address: string; value: bigint } | undefined {
  if (!ipaddr.isValid(text)) return undefined;
  // ipaddr.isValid accepts odd IPv4 forms (e.g. "10"); insist on four parts.
  if (!text.includes(":") && !ipaddr.IPv4.isValidFourPartDecimal(text)) return undefined;
  const addr = ipaddr.parse(text);
  return {
    family: addr.kind() === "ipv4" ? "ipv4" : "ipv6",
    address: addr.toString(),
    value: toBigInt(addr),
  };
}

/** Network part of a CIDR as `net/len`. */
export function networkOf(c: Cidr): string {
  return `${fromBigInt(c.value & mask(c), c.family)}/${c.length}`;
}

/** True when the CIDR's host bits are all zero. */
export function isNetwork(c: Cidr): boolean {
  return (c.value & ~mask(c) & ((1n << BigInt(c.bits)) - 1n)) === 0n;
}

/** True when `address` lies inside `prefix`. */
export function contains(prefix: Cidr, address: bigint): boolean {
  return (address & mask(prefix)) === (prefix.value & mask(prefix));
}

/** True when two prefixes overlap. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  const m = a.length < b.length ? mask(a) : mask(b);
  return (a.value & m) === (b.value & m);
}

/**
 * The `index`-th address of a subnet as `addr/len` (index 0 is the network address).
 *
 * @throws {RangeError} when the index does not fit the subnet
 */
export function hostAt(subnet: Cidr, index: number | bigint): string {
  const i = BigInt(index);
  const size = 1n << BigInt(subnet.bits - subnet.length);
  if (i < 0n || i >= size) throw new RangeError(`host ${index} does not fit ${networkOf(subnet)}`);
  return `${fromBigInt((subnet.value & mask(subnet)) + i, subnet.family)}/${subnet.length}`;
}

/** Number of usable host addresses (RFC 3021: /31 has two, /32 and /128 one). */
export function hostCount(subnet: Cidr): bigint {
  const span = subnet.bits - subnet.length;
  if (span <= 1) return 1n << BigInt(span);
  return subnet.family === "ipv4" ? (1n << BigInt(span)) - 2n : (1n << BigInt(span)) - 1n;
}

/** Index of the first usable host: 0 for /31, /32, /127, /128, else 1. */
export function firstHostIndex(subnet: Cidr): number {
  return subnet.bits - subnet.length <= 1 ? 0 : 1;
}

/**
 * The `n`-th subnet of length `length` inside `pool` (0-based).
 *
 * @returns `net/len`, or undefined when the pool is exhausted
 */
export function subnetAt(pool: Cidr, length: number, n: number): string | undefined {
  if (length < pool.length || length > pool.bits) return undefined;
  const count = 1n << BigInt(length - pool.length);
  if (BigInt(n) >= count) return undefined;
  const base = pool.value & mask(pool);
  return `${fromBigInt(base + (BigInt(n) << BigInt(pool.bits - length)), pool.family)}/${length}`;
}

/** Address part of `addr/len`. */
export function stripLength(cidr: string): string {
  const i = cidr.indexOf("/");
  return i < 0 ? cidr : cidr.slice(0, i);
}

function mask(c: { length: number; bits: number }): bigint {
  const all = (1n << BigInt(c.bits)) - 1n;
  return all ^ ((1n << BigInt(c.bits - c.length)) - 1n);
}

function toBigInt(addr: ipaddr.IPv4 | ipaddr.IPv6): bigint {
  let v = 0n;
  for (const b of addr.toByteArray()) v = (v << 8n) | BigInt(b);
  return v;
}

function fromBigInt(value: bigint, family: Family): string {
  const n = family === "ipv4" ? 4 : 16;
  const bytes: number[] = new Array(n);
  let v = value;
  for (let i = n - 1; i >= 0; i--) {
    bytes[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return ipaddr.fromByteArray(bytes).toString();
}
