/**
 * Link impairments, as netem names them (tc-netem(8)): delay and jitter in
 * ms, loss, corruption and duplication in percent, rate in kbit/s. A value
 * of 0 turns that impairment off.
 */

/** One direction's impairments. */
export interface Impairment {
  /** Added one-way delay, ms. */
  readonly delayMs: number;
  /** Delay varies uniformly by ± this much, ms (frames may be reordered, as with netem). */
  readonly jitterMs: number;
  /** Frames dropped, percent. */
  readonly lossPct: number;
  /** Bandwidth limit, kbit/s (0: none); frames queue behind it. */
  readonly rateKbit: number;
  /** Frames with one random bit flipped, percent. */
  readonly corruptPct: number;
  /** Frames sent twice, percent. */
  readonly duplicatePct: number;
}

/** No impairment at all. */
export const NO_IMPAIRMENT: Impairment = {
  delayMs: 0,
  jitterMs: 0,
  lossPct: 0,
  rateKbit: 0,
  corruptPct: 0,
  duplicatePct: 0,
};

/** Whether any impairment is on. */
export function isImpaired(i: Impairment): boolean {
  return Object.values(i).some((v) => v !== 0);
}

/** Impairments as written by users: `{ delay: 10ms, loss: 1% }`; numbers in the default unit. */
export interface ImpairmentInput {
  readonly delay?: string | number | undefined;
  readonly jitter?: string | number | undefined;
  readonly loss?: string | number | undefined;
  readonly rate?: string | number | undefined;
  readonly corrupt?: string | number | undefined;
  readonly duplicate?: string | number | undefined;
}

/** Longest delay or jitter, in ms. */
export const MAX_DELAY_MS = 60_000;

const TIME_UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000 };
const RATE_UNITS: Record<string, number> = {
  bit: 0.001,
  kbit: 1,
  mbit: 1000,
  gbit: 1_000_000,
  bps: 0.008,
  kbps: 8,
  mbps: 8000,
};

/**
 * Parses impairments.
 *
 * @returns the impairment, or one message per bad key (`{ key, message }`)
 *   saying what is accepted
 */
export function parseImpairment(
  input: ImpairmentInput,
  base: Impairment = NO_IMPAIRMENT,
): Impairment | { key: keyof ImpairmentInput; message: string }[] {
  const errors: { key: keyof ImpairmentInput; message: string }[] = [];
  const out = { ...base };
  const time = (key: "delay" | "jitter", field: "delayMs" | "jitterMs") => {
    const v = input[key];
    if (v === undefined) return;
    const ms = withUnit(v, TIME_UNITS, "ms");
    if (ms === undefined || ms > MAX_DELAY_MS)
      errors.push({
        key,
        message: `${key}: expected a time up to 60s, e.g. 20ms, 1.5ms, 2s; got ${JSON.stringify(v)}`,
      });
    else out[field] = ms;
  };
  const pct = (
    key: "loss" | "corrupt" | "duplicate",
    field: "lossPct" | "corruptPct" | "duplicatePct",
  ) => {
    const v = input[key];
    if (v === undefined) return;
    const p = withUnit(v, { "%": 1 }, "%");
    if (p === undefined || p > 100)
      errors.push({
        key,
        message: `${key}: expected a percentage from 0% to 100%, e.g. 1% or 0.5; got ${JSON.stringify(v)}`,
      });
    else out[field] = p;
  };
  time("delay", "delayMs");
  time("jitter", "jitterMs");
  pct("loss", "lossPct");
  pct("corrupt", "corruptPct");
  pct("duplicate", "duplicatePct");
  if (input.rate !== undefined) {
    const k = withUnit(input.rate, RATE_UNITS, "kbit");
    if (k === undefined || (k > 0 && k < 8))
      errors.push({
        key: "rate",
        message: `rate: expected a rate of at least 8kbit, e.g. 512kbit, 10mbit, 1gbit (a number is kbit/s), or 0 for none; got ${JSON.stringify(input.rate)}`,
      });
    else out.rateKbit = k;
  }
  return errors.length ? errors : out;
}

/** `"20ms"` → 20 with `{ms: 1}`; a bare number is in `defaultUnit`. */
function withUnit(
  v: string | number,
  units: Record<string, number>,
  defaultUnit: string,
): number | undefined {
  if (typeof v === "number")
    return Number.isFinite(v) && v >= 0 ? v * (units[defaultUnit] ?? 1) : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z%]*)\s*$/i.exec(v);
  if (!m) return undefined;
  const unit = (m[2] || defaultUnit).toLowerCase();
  const factor = units[unit];
  return factor === undefined ? undefined : Number(m[1]) * factor;
}

/** Human form, as `wirelab link show` prints it: `delay 20ms ±2ms, loss 1%`, or `none`. */
export function formatImpairment(i: Impairment): string {
  const parts: string[] = [];
  if (i.delayMs || i.jitterMs)
    parts.push(`delay ${i.delayMs}ms${i.jitterMs ? ` ±${i.jitterMs}ms` : ""}`);
  if (i.lossPct) parts.push(`loss ${i.lossPct}%`);
  if (i.rateKbit)
    parts.push(`rate ${i.rateKbit >= 1000 ? `${i.rateKbit / 1000}mbit` : `${i.rateKbit}kbit`}`);
  if (i.corruptPct) parts.push(`corrupt ${i.corruptPct}%`);
  if (i.duplicatePct) parts.push(`duplicate ${i.duplicatePct}%`);
  return parts.length ? parts.join(", ") : "none";
}
