/**
 * Words for POSIX sh (POSIX.1-2017, Shell Command Language, 2.2 Quoting):
 * single quotes keep every character literal; a quote inside one is closed,
 * escaped and reopened.
 */

/** `arg` in single quotes, always. */
export function shellQuote(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** `arg` as it is where sh reads it literally (letters, digits, `-_./:=@%+,`), else quoted. */
export function shellWord(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(arg) ? arg : shellQuote(arg);
}
