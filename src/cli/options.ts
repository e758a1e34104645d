/**
 * Parsers of option values: a bad value is a usage error (exit 2), reported
 * by commander before the command does anything.
 */
import { InvalidArgumentError } from "commander";

/**
 * Parses a whole number of at least `min`, written in decimal digits only
 * (`abc`, `-3`, `1.5`, `1e3` and `0x10` are refused).
 *
 * @throws {InvalidArgumentError} for anything else
 */
export function integerAtLeast(min: number): (value: string) => number {
  return (value) => {
    const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min)
      throw new InvalidArgumentError(`expected a whole number of at least ${min}, not "${value}"`);
    return n;
  };
}
