/**
 * Diagnostics as the CLI prints them, with a caret under the problem.
 */
import { type Diagnostic, formatDiagnostic } from "../index.js";

/**
 * `file:line:col: message`, the source line, and a caret under the column;
 * bytes a terminal would act on shown as escapes (see {@link printable}).
 */
export function renderDiagnostic(d: Diagnostic): string {
  const head = printable(formatDiagnostic(d));
  if (d.sourceLine === undefined || d.col === undefined) return head;
  const gutter = `${d.line} | `;
  const caret = `${" ".repeat(gutter.length + Math.max(0, d.col - 1))}^`;
  return `${head}\n  ${gutter}${printable(d.sourceLine)}\n  ${caret}`;
}

/**
 * Text from a user's file made safe for a terminal: control characters
 * (C0 but newline and tab, DEL, C1) become `\xNN` escapes, so a file with
 * escape sequences or NUL bytes cannot change the terminal or hide text.
 */
export function printable(text: string): string {
  let out = "";
  for (const ch of text) {
    const c = ch.codePointAt(0) as number;
    const control = (c < 0x20 && ch !== "\n" && ch !== "\t") || (c >= 0x7f && c <= 0x9f);
    out += control ? `\\x${c.toString(16).padStart(2, "0")}` : ch;
  }
  return out;
}
