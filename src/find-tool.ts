/**
 * Finding a program on the PATH, as root finds it (the sbin directories
 * too): for preflight checks and for `setpriv`.
 */
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** Full path of an executable found on `$PATH` (plus the sbin directories root uses); an absolute path is checked as it is. */
export function findOnPath(tool: string): string | undefined {
  if (tool.startsWith("/")) {
    try {
      accessSync(tool, constants.X_OK);
      return tool;
    } catch {
      return undefined;
    }
  }
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/sbin"];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, tool);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
