/**
 * Where a value of a rewritten topology came from. netlab's mechanics
 * (dotted keys, defaults files, groups, module parameters) build new data
 * from the file; a problem found in that data must still be shown at the
 * place the user wrote, possibly in another file (a defaults file).
 *
 * Origins are kept beside the data, per container and key, in a WeakMap: a
 * subtree moved or shared by reference keeps its origins, so only the code
 * that builds new containers (expansion, merges) has to record them.
 */
import type { Origin, TopologySource } from "./source.js";

export type { Origin } from "./source.js";

/** Origins of the keys of containers (objects and arrays). */
export class OriginIndex {
  readonly #keys = new WeakMap<object, Map<string | number, Origin>>();

  /** Records where `container[key]` came from. */
  set(container: object, key: string | number, origin: Origin): void {
    let m = this.#keys.get(container);
    if (!m) {
      m = new Map();
      this.#keys.set(container, m);
    }
    m.set(key, origin);
  }

  /** Where `container[key]` came from, if recorded. */
  get(container: object, key: string | number): Origin | undefined {
    return this.#keys.get(container)?.get(key);
  }

  /**
   * A shallow copy of a map with its keys' origins, and `changes` applied
   * (a change without an origin has none: it came from outside the files).
   */
  copy(
    obj: Record<string, unknown>,
    changes: Record<string, unknown> = {},
    origin?: Origin,
  ): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      out[k] = v;
      const o = this.get(obj, k);
      if (o) this.set(out, k, o);
    }
    for (const [k, v] of Object.entries(changes)) {
      if (v === undefined) delete out[k];
      else out[k] = v;
      if (origin) this.set(out, k, origin);
    }
    return out;
  }

  /**
   * Records every key and item of a tree read from `source` at `path` as
   * coming from there (the tree as parsed, nothing moved yet).
   */
  recordTree(value: unknown, source: TopologySource, path: readonly (string | number)[]): void {
    if (value === null || typeof value !== "object") return;
    if (Array.isArray(value)) {
      value.forEach((v, i) => {
        this.set(value, i, { source, path: [...path, i] });
        this.recordTree(v, source, [...path, i]);
      });
      return;
    }
    for (const [k, v] of Object.entries(value)) {
      this.set(value, k, { source, path: [...path, k] });
      this.recordTree(v, source, [...path, k]);
    }
  }

  /**
   * The place a path of `root` came from: the deepest recorded origin on
   * the way down, with the rest of the path appended (a subtree copied as
   * it was keeps its shape).
   *
   * @returns undefined when nothing on the path was recorded
   */
  locate(root: unknown, path: readonly (string | number)[]): Origin | undefined {
    let node: unknown = root;
    let best: Origin | undefined;
    let bestDepth = 0;
    for (let i = 0; i < path.length; i++) {
      if (node === null || typeof node !== "object") break;
      const key = path[i] as string | number;
      const o = this.get(node, key);
      if (o) {
        best = o;
        bestDepth = i + 1;
      }
      node = (node as Record<string | number, unknown>)[key];
    }
    if (!best) return undefined;
    const rest = path.slice(bestDepth);
    // A dotted key's place is the key itself: what lies below it was written in one line.
    if (best.atKey && rest.length > 0) return best;
    return { ...best, path: [...best.path, ...rest], ...(rest.length ? { atKey: false } : {}) };
  }
}

/** A plain object (a YAML map), not an array or null. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * netlab's deep merge (netlab docs, "Topology Defaults", Deep Merging):
 * keys of `over` win; where both sides hold a map, the maps are merged
 * key by key; lists and scalars are replaced, never merged. Neither input
 * is changed; origins follow the keys they came with.
 *
 * @returns the merged value (a new map where both were maps)
 */
export function mergeDeep(base: unknown, over: unknown, origins: OriginIndex): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(base)) {
    out[k] = v;
    const o = origins.get(base, k);
    if (o) origins.set(out, k, o);
  }
  for (const [k, v] of Object.entries(over)) {
    const merged = k in out ? mergeDeep(out[k], v, origins) : v;
    out[k] = merged;
    // A merged map keeps its own origins per key; the key's own place is the side that wins.
    const o = origins.get(over, k);
    if (o) origins.set(out, k, o);
  }
  return out;
}
