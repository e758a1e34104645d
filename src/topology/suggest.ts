import { distance } from "fastest-levenshtein";

/**
 * Picks the candidate closest to a misspelt word, if it is close enough to be
 * a likely typo (edit distance at most a third of the word, rounded up).
 *
 * @param word - what the user wrote
 * @param candidates - valid words
 * @returns the suggestion, or undefined
 */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  const limit = Math.max(1, Math.ceil(word.length / 3));
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** `" (did you mean \"x\"?)"` or `""`. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const s = suggest(word, candidates);
  return s === undefined ? "" : ` (did you mean "${s}"?)`;
}

/** Renders a value for a message: strings quoted, others as YAML would show them. */
export function show(value: unknown): string {
  if (typeof value === "string") return `"${value}"`;
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  return String(value);
}
