/**
 * The files a router's `config:` and `daemons:` name, checked before
 * anything is built: each must be a readable regular file, a configuration
 * must pass FRR's own check (`vtysh --dryrun -f FILE`, FRR docs, "VTY
 * shell"), and a `daemons` file may turn on only daemons FRR has. Problems
 * are diagnostics at the attribute's key.
 */
import { readFile, stat } from "node:fs/promises";
import type { Diagnostic } from "../errors.js";
import type { Runner } from "../exec.js";
import { findOnPath } from "../find-tool.js";
import type { Topology } from "../topology/types.js";
import { daemonLines, FRR_DAEMONS, isFrrDaemon } from "./devices/frr-daemons.js";

/**
 * Checks every router's files; appends a diagnostic per problem.
 *
 * @param run - runs `vtysh` (FRR's Debian package)
 */
export async function checkRouterFiles(
  topology: Topology,
  run: Runner,
  diagnostics: Diagnostic[],
): Promise<void> {
  for (const node of topology.nodes) {
    if (node.device !== "frr" || !node.router) continue;
    const at = (key: string) => [...node.path, key];
    const { config, daemons } = node.router;
    if (config !== undefined) {
      const problem = await unreadable(config);
      if (problem)
        diagnostics.push({
          code: "bad-file",
          message: `config ${config}: ${problem}`,
          path: at("config"),
        });
      else {
        const rejected = await frrRejects(run, config);
        if (rejected)
          diagnostics.push({
            code: "bad-value",
            message: `FRR rejects ${config}: ${rejected}`,
            path: at("config"),
          });
      }
    }
    if (daemons !== undefined) {
      const problem = await unreadable(daemons);
      if (problem) {
        diagnostics.push({
          code: "bad-file",
          message: `daemons ${daemons}: ${problem}`,
          path: at("daemons"),
        });
        continue;
      }
      const text = await readFile(daemons, "utf8");
      for (const d of daemonLines(text))
        if (d.on && !isFrrDaemon(d.name) && /d$/.test(d.name))
          diagnostics.push({
            code: "bad-value",
            message: `${daemons} line ${d.line} turns on "${d.name}", which FRR does not have; FRR's daemons are ${FRR_DAEMONS.join(", ")}`,
            path: at("daemons"),
          });
    }
  }
}

/** Why a file cannot be used, or undefined. */
async function unreadable(path: string): Promise<string | undefined> {
  try {
    const st = await stat(path);
    if (!st.isFile()) return "is not a regular file";
    await readFile(path);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === "ENOENT"
      ? "no such file"
      : code === "EACCES"
        ? "permission denied"
        : String(code);
  }
}

/**
 * FRR's verdict on a configuration file: undefined when `vtysh --dryrun`
 * takes it, else its messages (`line N: % Unknown command: …`).
 *
 */
async function frrRejects(run: Runner, file: string): Promise<string | undefined> {
  if (findOnPath("vtysh") === undefined)
    return "FRR's vtysh checks router configurations and is not installed: apt-get install frr";
  const r = await run("vtysh", ["--dryrun", "-f", file], { check: false, timeoutMs: 30_000 });
  if (r.exitCode === 0) return undefined;
  const said = `${r.stdout}\n${r.stderr}`
    .split("\n")
    .map((l) => l.trim())
    // Its own vtysh.conf is not the user's business (unreadable without root).
    .filter((l) => l && !l.startsWith("% Can't open configuration file"));
  return said.length ? said.join("; ") : `vtysh exited with code ${r.exitCode}`;
}
