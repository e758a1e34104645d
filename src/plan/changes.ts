/**
 * What changes between the plan a lab runs and the plan of its topology as
 * edited: nodes and links added, removed, changed in place or rebuilt, in
 * the words `up --dry-run` prints. Which changes force a node to be rebuilt
 * is its kind's decision (`KindSpec.rebuildFor`); everything else is
 * applied in place by the providers, each comparing its own objects.
 */
import { keysDiffering } from "./differing.js";
import { kindSpec } from "./kinds/index.js";
import type { LabPlan, LinkPlan, NodePlan } from "./types.js";

/** One node or link that changed, with the keys that differ. */
export interface Changed {
  readonly name: string;
  /** Keys of its plan that differ (`interfaces`, `routes`, `device`, …). */
  readonly keys: readonly string[];
}

/** A node that is rebuilt (a new namespace, a new QEMU), and why. */
export interface Rebuilt {
  readonly name: string;
  readonly why: string;
}

/** The difference between two plans of one lab. */
export interface LabChanges {
  readonly nodes: {
    readonly added: readonly string[];
    readonly removed: readonly string[];
    /** Changed in place: the same namespace or QEMU, reconfigured. */
    readonly changed: readonly Changed[];
    readonly rebuilt: readonly Rebuilt[];
  };
  readonly links: {
    readonly added: readonly string[];
    readonly removed: readonly string[];
    readonly changed: readonly Changed[];
  };
  /** Lab-wide settings that differ (tests, message, prefixes). */
  readonly lab: readonly string[];
}

/** Whether two plans differ at all. */
export function hasChanges(c: LabChanges): boolean {
  return (
    c.nodes.added.length +
      c.nodes.removed.length +
      c.nodes.changed.length +
      c.nodes.rebuilt.length +
      c.links.added.length +
      c.links.removed.length +
      c.links.changed.length +
      c.lab.length >
    0
  );
}

/** Nodes of `after` whose namespace or VM must be made new (their kind says so, or it changed). */
export function rebuiltNodes(c: LabChanges): ReadonlySet<string> {
  return new Set(c.nodes.rebuilt.map((r) => r.name));
}

/**
 * @param before - the plan the lab runs
 * @param after - the plan it should run
 */
export function planChanges(before: LabPlan, after: LabPlan): LabChanges {
  const nodes = compare(before.nodes, after.nodes);
  const rebuilt: Rebuilt[] = [];
  const changed: Changed[] = [];
  for (const c of nodes.changed) {
    const a = before.nodes.find((n) => n.name === c.name) as NodePlan;
    const b = after.nodes.find((n) => n.name === c.name) as NodePlan;
    const why = rebuildReason(a, b);
    if (why) rebuilt.push({ name: c.name, why });
    else changed.push(c);
  }
  const links = compare<LinkPlan>(before.links, after.links);
  const lab = keysDiffering(
    { ...before, nodes: [], links: [] },
    { ...after, nodes: [], links: [] },
  );
  return {
    nodes: { added: nodes.added, removed: nodes.removed, changed, rebuilt },
    links,
    lab,
  };
}

/** Why a node cannot go from `a` to `b` in place, or undefined when it can. */
function rebuildReason(a: NodePlan, b: NodePlan): string | undefined {
  if (a.kind !== b.kind) return `its kind changed (${a.kind} to ${b.kind})`;
  // The same kind on both sides: the registry's spec for it takes both.
  const spec = kindSpec(a.kind) as unknown as {
    rebuildFor(x: NodePlan, y: NodePlan): string | undefined;
  };
  return spec.rebuildFor(a, b);
}

/** The changes in words, one line each, as `up --dry-run` prints them. */
export function describeChanges(c: LabChanges): string[] {
  const keys = (x: Changed) => (x.keys.length ? ` (${x.keys.join(", ")})` : "");
  return [
    ...c.nodes.added.map((n) => `+ node ${n}`),
    ...c.nodes.removed.map((n) => `- node ${n}`),
    ...c.nodes.rebuilt.map((r) => `! node ${r.name}: rebuilt, ${r.why}`),
    ...c.nodes.changed.map((x) => `~ node ${x.name}${keys(x)}`),
    ...c.links.added.map((n) => `+ link ${n}`),
    ...c.links.removed.map((n) => `- link ${n}`),
    ...c.links.changed.map((x) => `~ link ${x.name}${keys(x)}`),
    ...c.lab.map((k) => `~ lab ${k}`),
  ];
}

function compare<T extends { readonly name: string }>(
  a: readonly T[],
  b: readonly T[],
): { added: string[]; removed: string[]; changed: Changed[] } {
  const old = new Map(a.map((x) => [x.name, x]));
  const now = new Set(b.map((x) => x.name));
  const added: string[] = [];
  const changed: Changed[] = [];
  for (const x of b) {
    const o = old.get(x.name);
    if (!o) added.push(x.name);
    else {
      const keys = keysDiffering(o, x);
      if (keys.length) changed.push({ name: x.name, keys });
    }
  }
  return { added, removed: a.filter((x) => !now.has(x.name)).map((x) => x.name), changed };
}
