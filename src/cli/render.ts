/**
 * Text output of the CLI: diagnostics with a caret under the problem, and
 * plain column tables in the style of `ip -br`.
 */
import Table from "cli-table3";
import { formatDiagnostic, type Diagnostic } from "../errors.js";

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

const NO_BORDERS = {
  top: "", "top-mid": "", "top-left": "", "top-right": "",
  bottom: "", "bottom-mid": "", "bottom-left": "", "bottom-right": "",
  left: "", "left-mid": "", mid: "", "mid-mid": "",
  right: "", "right-mid": "", middle: "  ",
};

/**
 * Lays out rows in aligned columns without borders.
 *
 * @param head - column titles (upper case by convention), or none
 * @param rows - cells as text
 */
export function table(head: readonly string[] | undefined, rows: readonly (readonly string[])[]): string {
  const t = new Table({
    chars: NO_BORDERS,
    style: { head: [], border: [], "padding-left": 0, "padding-right": 0 },
    ...(head ? { head: [...head] } : {}),
  });
  for (const r of rows) t.push([...r]);
  return t
    .toString()
    .split("\n")
    .map((l) => l.trimEnd())
    .join("\n");
}
