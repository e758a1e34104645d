/** Comparing plans' parts by value (their JSON), for the changes of an edited lab. */

/** Top-level keys of two objects whose values differ. */
export function keysDiffering(a: object, b: object): string[] {
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return [...new Set([...Object.keys(ra), ...Object.keys(rb)])].filter(
    (k) => JSON.stringify(ra[k]) !== JSON.stringify(rb[k]),
  );
}

/** Whether two plan parts are equal by value. */
export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
