/**
 * Starting and stopping a lab's wire daemon (`src/wire/`): its supervisor
 * runs detached from `up`, with its PID, the daemon's PID, the control
 * socket and a log under the lab's directory.
 */
import { spawn } from "node:child_process";
import { openSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LabError } from "../../errors.js";
import type { LabPlan } from "../../plan/types.js";
import { WireClient } from "../../wire/client.js";
import { wireConfig, wireLinks } from "../../wire/config.js";
import { pidOf, stopPid } from "../pids.js";
import type { LabPorts } from "../qemu/ports.js";

/** The daemon's entry point in the build. */
const MAIN = fileURLToPath(new URL("../../wire/main.js", import.meta.url));

/** Files of a lab's wire daemon. */
export interface WireFiles {
  readonly dir: string;
  readonly config: string;
  readonly control: string;
  readonly liveState: string;
  readonly pidfile: string;
  readonly supervisorPidfile: string;
  readonly log: string;
}

/** @param labDir - the lab's directory in the state store */
export function wireFiles(labDir: string): WireFiles {
  const dir = join(labDir, "wire");
  return {
    dir,
    config: join(dir, "config.json"),
    control: join(dir, "control.sock"),
    liveState: join(dir, "live.json"),
    pidfile: join(dir, "daemon.pid"),
    supervisorPidfile: join(dir, "supervisor.pid"),
    log: join(dir, "wire.log"),
  };
}

/** Whether the plan has links for the daemon. */
export function needsWireDaemon(plan: LabPlan): boolean {
  return wireLinks(plan).length > 0;
}

/**
 * Writes the daemon's configuration and starts its supervisor; resolves
 * once the daemon answers on its control socket.
 *
 * @throws {LabError} when it does not answer within `timeoutMs` (its log is named)
 */
export async function startWire(
  plan: LabPlan,
  ports: LabPorts,
  files: WireFiles,
  streamPath: (node: string, iface: string) => string,
  timeoutMs = 10_000,
): Promise<void> {
  await mkdir(files.dir, { recursive: true });
  await rm(files.liveState, { force: true });
  await writeFile(
    files.config,
    JSON.stringify(wireConfig(plan, ports, files, streamPath), null, 2),
  );
  await startSupervisor(files);
  await waitForControl(plan.lab, files, timeoutMs);
}

async function startSupervisor(files: WireFiles): Promise<void> {
  const log = openSync(files.log, "a");
  const child = spawn(process.execPath, [MAIN, "supervise", files.config], {
    detached: true,
    stdio: ["ignore", log, log],
  });
  child.unref();
  await writeFile(files.supervisorPidfile, `${child.pid}\n`);
}

/** PIDs of the supervisor and the daemon, where they run. */
export async function wirePids(
  files: WireFiles,
): Promise<{ supervisor?: number; daemon?: number }> {
  const ours = (argv: readonly string[]) => argv.includes(files.config);
  const supervisor = await pidOf(files.supervisorPidfile, ours);
  const daemon = await pidOf(files.pidfile, ours);
  return {
    ...(supervisor !== undefined ? { supervisor } : {}),
    ...(daemon !== undefined ? { daemon } : {}),
  };
}

/**
 * Starts the supervisor again if it is gone (the daemon with it).
 *
 * @returns whether it had to
 */
export async function ensureWire(plan: LabPlan, files: WireFiles): Promise<boolean> {
  const pids = await wirePids(files);
  if (pids.supervisor !== undefined) return false;
  if (pids.daemon !== undefined) await stopPid(pids.daemon);
  // Unlike startWire, live changes (live.json) are kept.
  await startSupervisor(files);
  await waitForControl(plan.lab, files);
  return true;
}

async function waitForControl(lab: string, files: WireFiles, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const client = await WireClient.connect(files.control);
      await client.show();
      client.close();
      return;
    } catch {
      if (Date.now() > deadline)
        throw new LabError(`the wire daemon of lab "${lab}" did not start; see ${files.log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/**
 * Stops the supervisor and the daemon (each only if its PID is still ours).
 *
 * @returns whether anything was running
 */
export async function stopWire(files: WireFiles): Promise<boolean> {
  const pids = await wirePids(files);
  if (pids.supervisor !== undefined) await stopPid(pids.supervisor);
  const daemon = (await wirePids(files)).daemon;
  if (daemon !== undefined) await stopPid(daemon);
  await rm(files.control, { force: true });
  return pids.supervisor !== undefined || pids.daemon !== undefined;
}
