/** wirelab's version, as its package.json says (next to `src/` and `dist/`). */
import { readFileSync } from "node:fs";

/** @returns the `version` of wirelab's package.json */
export function packageVersion(): string {
  const url = new URL("../../package.json", import.meta.url);
  return (JSON.parse(readFileSync(url, "utf8")) as { version: string }).version;
}
