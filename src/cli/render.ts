/**
 * Diagnostics as the CLI prints them, with a caret under the problem.
 */
import { type Diagnostic, formatDiagnostic } from "../index.js";

/**
 * `file:line:col: message`, the source line, and a caret under the column.
 */
export function renderDiagnostic(d: Diagnostic): string {
  const head = `${formatDiagnostic(d)}`;
  if (d.sourceLine === undefined || d.col === undefined) return head;
  const gutter = `${d.line} | `;
  const caret = `${" ".repeat(gutter.length + Math.max(0, d.col - 1))}^`;
  return `${head}\n  ${gutter}${d.sourceLine}\n  ${caret}`;
}
