/**
 * Plain column tables in the style of `ip -br`, on cli-table3.
 */
import Table from "cli-table3";

const NO_BORDERS = {
  top: "",
  "top-mid": "",
  "top-left": "",
  "top-right": "",
  bottom: "",
  "bottom-mid": "",
  "bottom-left": "",
  "bottom-right": "",
  left: "",
  "left-mid": "",
  mid: "",
  "mid-mid": "",
  right: "",
  "right-mid": "",
  middle: "  ",
};

/**
 * Lays out rows in aligned columns without borders.
 *
 * @param head - column titles (upper case by convention), or none
 * @param rows - cells as text
 */
export function table(
  head: readonly string[] | undefined,
  rows: readonly (readonly string[])[],
): string {
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
