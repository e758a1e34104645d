/**
 * netlab's hierarchical keys (netlab docs, "Hierarchical Dictionaries in
 * netlab YAML files"): a key with dots anywhere in a topology is a path of
 * nested maps merged with the rest of its map, so `bgp.as: 65001` is
 * `bgp: { as: 65001 }` and `defaults.device: frr` is `defaults: { device:
 * frr }`. Keys are taken in the order written; a later value of the same
 * key wins, as netlab's own reader does. Every new key keeps the place of
 * the dotted key it came from.
 */
import { isPlainObject, mergeDeep, type Origin, type OriginIndex } from "./origins.js";

/**
 * Expands the dotted keys of a tree (returns a new tree; the input is not
 * changed). Keys whose parts would be empty (`a..b`, `.a`) are left as
 * written, for the schema to report.
 *
 * @param value - plain data as parsed (origins recorded for it in `origins`)
 * @param origins - where keys came from; new containers are recorded here
 */
export function expandDotted(value: unknown, origins: OriginIndex): unknown {
  if (Array.isArray(value)) {
    const out = value.map((v) => expandDotted(v, origins));
    value.forEach((_, i) => {
      const o = origins.get(value, i);
      if (o) origins.set(out, i, o);
    });
    return out;
  }
  if (!isPlainObject(value)) return value;
  let out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(value)) {
    const origin = origins.get(value, key);
    const child = expandDotted(raw, origins);
    const parts = key.split(".");
    if (parts.length === 1 || parts.some((p) => p === "")) {
      out = setMerged(out, key, child, origin, origins);
      continue;
    }
    // a.b.c: v  →  { a: { b: { c: v } } }, each new key at the dotted key's place.
    let nested: unknown = child;
    for (let i = parts.length - 1; i >= 1; i--) {
      const m: Record<string, unknown> = { [parts[i] as string]: nested };
      // The last part holds the value written; the others stand for the key.
      if (origin)
        origins.set(m, parts[i] as string, i === parts.length - 1 ? origin : keyOf(origin));
      nested = m;
    }
    out = setMerged(out, parts[0] as string, nested, origin && keyOf(origin), origins);
  }
  return out;
}

const keyOf = (o: Origin): Origin => ({ ...o, atKey: true });

function setMerged(
  out: Record<string, unknown>,
  key: string,
  value: unknown,
  origin: Origin | undefined,
  origins: OriginIndex,
): Record<string, unknown> {
  if (key in out && isPlainObject(out[key]) && isPlainObject(value)) {
    const merged = mergeDeep(out[key], value, origins);
    out[key] = merged;
  } else {
    out[key] = value;
  }
  if (origin) origins.set(out, key, origin);
  return out;
}
