// Helpers shared by the benchmarks.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

/** CPU time of a process so far, in clock ticks (1/100 s): utime + stime from /proc/PID/stat. */
export function cpuTicks(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = f.slice(f.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

const watched = new Set();

/**
 * A benchmark killed (Ctrl-C, `timeout`, a closed terminal) would skip its
 * `finally`: on SIGINT, SIGTERM or SIGHUP, every lab recorded under
 * `DIR/state` (the benchmark's WIRELAB_STATE_DIR) is taken down and DIR
 * removed before the process exits.
 */
export function tearDownOnSignal(dir) {
  watched.add(dir);
  if (watched.size > 1) return;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"])
    process.once(signal, () => {
      const cli = join(import.meta.dirname, "..", "dist", "cli", "bin.js");
      for (const d of watched) {
        const labs = join(d, "state", "labs");
        for (const lab of existsSync(labs) ? readdirSync(labs) : [])
          spawnSync(process.execPath, [cli, "down", "--lab", lab], {
            env: { ...process.env, WIRELAB_STATE_DIR: join(d, "state") },
            stdio: "ignore",
          });
        rmSync(d, { recursive: true, force: true });
      }
      process.exit(128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 1));
    });
}
