/**
 * Processes wirelab started and tracks by pidfile (QEMU, the wire daemon):
 * a PID is trusted only when /proc/PID/cmdline still shows the process it
 * was, so a recycled PID is never signalled.
 */
import { readFile } from "node:fs/promises";

/**
 * @param isOurs - tells from the process's argv whether it is the one the pidfile was written for
 * @returns the PID, if that process runs
 */
export async function pidOf(
  pidfile: string,
  isOurs: (argv: readonly string[]) => boolean,
): Promise<number | undefined> {
  const pid = Number.parseInt(await readFile(pidfile, "utf8").catch(() => ""), 10);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
  return cmdline && isOurs(cmdline.split("\0")) ? pid : undefined;
}

/** Whether a process exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after `graceMs` if it is still there. */
export async function stopPid(pid: number, graceMs = 3000): Promise<void> {
  signal(pid, "SIGTERM");
  for (let waited = 0; waited < graceMs && alive(pid); waited += 50) {
    await new Promise((r) => setTimeout(r, 50));
  }
  if (alive(pid)) signal(pid, "SIGKILL");
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}
