/**
 * The wire provider: a lab's wire daemon (`src/wire/`), for its hub, switch
 * and relayed links. Its supervisor runs detached from `up` and starts the
 * daemon (and one socat per namespace interface) again whenever one dies;
 * its files are the lab layout's `wire/`.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { LabError } from "../../errors.js";
import type { LabPorts } from "../../plan/ports.js";
import type { LabPlan } from "../../plan/types.js";
import { findProcesses, type ProcessStarter, pidFromFile, stopPid } from "../../process.js";
import { WireClient } from "../../wire/client.js";
import type { LabLayout, WireFiles } from "../layout.js";
import type { Provider } from "../provider.js";
import { daemonLinks, needsSocat, wireConfig } from "./config.js";
import type { SpliceRecord } from "./splice.js";

/** The daemon's entry point in the build. */
const MAIN = fileURLToPath(new URL("../../wire/main.js", import.meta.url));

/** How long the daemon may take to answer on its control socket, in ms. */
export const WIRE_START_TIMEOUT_MS = 10_000;

/** The wire provider (see the module comment). */
export const wireProvider: Provider<void> = {
  name: "wire",
  findableByName: false,
  uses: (plan, spliced) => daemonLinks(plan).length > 0 || (spliced?.length ?? 0) > 0,
  tools: (plan) => (needsSocat(plan) ? ["socat"] : []),
  preflight: async () => undefined,
  owns: () => ({ daemon: true }),
  async start(ctx) {
    const files = ctx.layout.wire;
    await mkdir(files.dir, { recursive: true });
    await rm(files.liveState, { force: true });
    await writeFile(
      files.config,
      JSON.stringify(wireConfig(ctx.plan, ctx.ports, ctx.layout, ctx.spliced), null, 2),
    );
    await startSupervisor(ctx.start, ctx.plan.lab, files, ctx.signal);
  },
  retire: async () => undefined,
  /**
   * The daemon carries what the new plan says, live: links added start,
   * links removed stop, the others are not touched (nor their live
   * impairments and cuts); socats of namespace interfaces that joined or
   * left start and stop with them.
   */
  async apply(ctx) {
    await reloadWire(ctx, ctx.spliced ?? []);
  },
  async repair(ctx) {
    const files = ctx.layout.wire;
    const pids = await wirePids(files);
    if (pids.supervisor !== undefined) return { repaired: [] };
    if (pids.daemon !== undefined) await stopPid(pids.daemon);
    // Unlike start, live changes (live.json) are kept.
    await startSupervisor(ctx.start, ctx.plan.lab, files);
    ctx.reporter?.info?.("restarted the wire daemon (it was not running)");
    return { repaired: ["the wire daemon"] };
  },
  async findOwned(ctx) {
    const running = await findProcesses((argv) => argv.includes(ctx.layout.wire.config));
    return running.length ? { daemon: true } : undefined;
  },
  async status(ctx) {
    const pids = await wirePids(ctx.layout.wire);
    return [
      {
        name: "wire daemon",
        ...(pids.daemon !== undefined ? { pid: pids.daemon } : {}),
        ...(pids.supervisor !== undefined ? { supervisor: pids.supervisor } : {}),
      },
    ];
  },
  async destroy(ctx) {
    const stopped = await stopWire(ctx.layout.wire);
    return { "wire daemon": stopped ? ["stopped"] : [] };
  },
};

/**
 * Makes the lab's daemon carry what `plan` and `spliced` say, live: the
 * configuration is written, the supervisor reads it again for its socats
 * (SIGHUP) and the daemon for its links (control `reload`); resolves once
 * every new socat holds its port. Starts the daemon when it is not running.
 *
 * @throws {LabError} when the daemon does not answer or a socat does not start
 */
export async function reloadWire(
  ctx: {
    readonly plan: LabPlan;
    readonly ports: LabPorts;
    readonly layout: LabLayout;
    readonly start: ProcessStarter;
    readonly signal?: AbortSignal;
  },
  spliced: readonly SpliceRecord[],
): Promise<void> {
  const files = ctx.layout.wire;
  await mkdir(files.dir, { recursive: true });
  const next = wireConfig(ctx.plan, ctx.ports, ctx.layout, spliced);
  const text = JSON.stringify(next, null, 2);
  const now = await readFile(files.config, "utf8").catch(() => "");
  const pids = await wirePids(files);
  if (now === text && pids.supervisor !== undefined) return;
  await writeFile(files.config, text);
  if (pids.supervisor === undefined) {
    if (pids.daemon !== undefined) await stopPid(pids.daemon);
    await startSupervisor(ctx.start, ctx.plan.lab, files, ctx.signal);
  } else {
    process.kill(pids.supervisor, "SIGHUP");
    const client = await connectDaemon(ctx.plan.lab, files);
    try {
      await client.reload();
    } finally {
      client.close();
    }
  }
  await waitForSocats(
    next.attachments.map((a) => a.listen),
    files,
  );
}

/**
 * Waits until each port is bound on 127.0.0.1 (socat's, read from
 * /proc/net/udp: proc(5)).
 *
 * @throws {LabError} after {@link WIRE_START_TIMEOUT_MS}
 */
async function waitForSocats(ports: readonly number[], files: WireFiles): Promise<void> {
  const deadline = Date.now() + WIRE_START_TIMEOUT_MS;
  for (;;) {
    const table = await readFile("/proc/net/udp", "utf8");
    const bound = new Set(
      table
        .split("\n")
        .slice(1)
        .map((l) => l.trim().split(/\s+/)[1])
        .filter((a): a is string => a?.startsWith("0100007F:") === true)
        .map((a) => Number.parseInt(a.slice(9), 16)),
    );
    const missing = ports.filter((p) => !bound.has(p));
    if (missing.length === 0) return;
    if (Date.now() > deadline)
      throw new LabError(
        `socat did not start on 127.0.0.1 port ${missing.join(", ")} for the wire daemon; see ${files.log}`,
      );
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Starts the supervisor, detached; resolves once the daemon answers on its
 * control socket.
 *
 * @throws {LabError} when it does not (its log is named)
 */
async function startSupervisor(
  start: ProcessStarter,
  lab: string,
  files: WireFiles,
  signal?: AbortSignal,
) {
  signal?.throwIfAborted();
  const handle = start([process.execPath, MAIN, "supervise", files.config], {
    detached: true,
    ...(signal ? { signal } : {}),
    output: { file: files.log },
    readyWhen: { probe: () => controlAnswers(files.control) },
    readyTimeoutMs: WIRE_START_TIMEOUT_MS,
  });
  if (handle.pid !== undefined) await writeFile(files.supervisorPidfile, `${handle.pid}\n`);
  try {
    await handle.ready;
  } catch (e) {
    signal?.throwIfAborted();
    throw new LabError(`the wire daemon of lab "${lab}" did not start; see ${files.log}`, {
      cause: e,
    });
  }
}

async function controlAnswers(control: string): Promise<boolean> {
  const client = await WireClient.connect(control);
  try {
    await client.show();
    return true;
  } finally {
    client.close();
  }
}

/** PIDs of the supervisor and the daemon, where they run. */
export async function wirePids(
  files: WireFiles,
): Promise<{ supervisor?: number; daemon?: number }> {
  const ours = (argv: readonly string[]) => argv.includes(files.config);
  const supervisor = await pidFromFile(files.supervisorPidfile, ours);
  const daemon = await pidFromFile(files.pidfile, ours);
  return {
    ...(supervisor !== undefined ? { supervisor } : {}),
    ...(daemon !== undefined ? { daemon } : {}),
  };
}

/**
 * Stops the supervisor and the daemon (each only if its PID is still ours).
 *
 * @returns whether anything was running
 */
async function stopWire(files: WireFiles): Promise<boolean> {
  const pids = await wirePids(files);
  if (pids.supervisor !== undefined) await stopPid(pids.supervisor);
  // The daemon, and one whose pidfile was never written: they name the lab's wire config.
  const left = await findProcesses((argv) => argv.includes(files.config));
  await Promise.all(left.map((p) => stopPid(p)));
  await rm(files.control, { force: true });
  return pids.supervisor !== undefined || pids.daemon !== undefined || left.length > 0;
}

/**
 * Connects to a running lab's daemon.
 *
 * @throws {LabError} when it does not answer
 */
export async function connectDaemon(lab: string, files: WireFiles): Promise<WireClient> {
  try {
    return await WireClient.connect(files.control);
  } catch {
    throw new LabError(
      `the wire daemon of lab "${lab}" is not running; "wirelab up" starts it again (see ${files.log})`,
    );
  }
}
