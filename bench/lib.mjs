// Helpers shared by the benchmarks.
import { readFileSync } from "node:fs";

/** CPU time of a process so far, in clock ticks (1/100 s): utime + stime from /proc/PID/stat. */
export function cpuTicks(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = f.slice(f.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}
