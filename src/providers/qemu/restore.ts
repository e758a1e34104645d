/**
 * Starting a VM node from its shape's snapshot (`snapshot.ts`) instead of a
 * boot: QEMU starts with the node's own command line (its NICs' backends,
 * sockets and ports are its own: they are not part of the saved state) plus
 * the snapshot's RAM file mapped private and `-incoming defer`; QMP loads
 * the state (`migrate-incoming` with `x-ignore-shared`, so only the
 * devices' state is read: the RAM is the file's) and `cont` runs it. The
 * guest then gets the node's identity through its agent (`identity.ts`).
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { WirelabError } from "../../errors.js";
import type { VmNodePlan } from "../../plan/types.js";
import type { ProcessStarter } from "../../process.js";
import { shellQuote } from "../../shell.js";
import { AgentClient } from "./agent.js";
import { type NodeFiles, restoreScript, snapshotMac } from "./identity.js";
import { qmp } from "./qmp.js";
import { migrationDone, type Snapshot } from "./snapshot.js";

/** How long loading a snapshot may take until the guest's agent answers, in ms (0.5 s here). */
export const RESTORE_TIMEOUT_MS = 30_000;

/** How long the identity script may run in the guest, in ms (a router's FRR start included). */
const IDENTITY_TIMEOUT_MS = 60_000;

/**
 * The snapshot could not be loaded (QEMU refused its state, or the guest
 * did not answer after it): the VM can still boot.
 */
export class SnapshotLoadError extends WirelabError {
  override name = "SnapshotLoadError";
}

/** What a restore needs of the VM being started. */
export interface RestoreTarget {
  readonly node: VmNodePlan;
  /** The node's QEMU command line, restoring from the snapshot (`qemuArgs(…, { ram })`). */
  readonly argv: readonly string[];
  readonly files: {
    readonly agent: string;
    readonly qmp: string;
    readonly pidfile: string;
    readonly log: string;
  };
  readonly identity: NodeFiles;
  /** The lab NICs on taps, by interface index (`nicsOnTaps`): their offloads are negotiated again. */
  readonly tapNics: ReadonlySet<number>;
}

/**
 * Starts a VM from a snapshot and gives it its identity.
 *
 * @throws {SnapshotLoadError} when QEMU does not accept the state, or the
 *   restored guest does not answer (QEMU is stopped: the caller may boot)
 * @throws {WirelabError} when the identity script fails in the guest
 */
export async function restoreVm(
  start: ProcessStarter,
  snapshot: Snapshot,
  target: RestoreTarget,
  signal?: AbortSignal,
): Promise<void> {
  const { files } = target;
  const handle = start(target.argv, {
    daemonizes: { pidfile: files.pidfile },
    output: { file: files.log },
    ...(signal ? { signal } : {}),
    readyTimeoutMs: RESTORE_TIMEOUT_MS,
    readyWhen: { probe: () => monitorAnswers(files.qmp), intervalMs: 20 },
  });
  let agent: AgentClient;
  let timer: NodeJS.Timeout | undefined;
  // One deadline for the load: a QEMU stuck in it must not hold the start.
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new WirelabError(`not loaded in ${RESTORE_TIMEOUT_MS / 1000} s`)),
      RESTORE_TIMEOUT_MS,
    );
  });
  deadline.catch(() => undefined);
  let late = false;
  // Ends the load's waits once the start gave up on it: nothing may keep polling a dead QEMU.
  const giveUp = new AbortController();
  const loading = load(files, snapshot, handle.ready, giveUp.signal);
  // A load that ends after the deadline closes what it opened.
  loading.then((c) => late && c.close()).catch(() => undefined);
  // QEMU ending (a refused state, or stopped by an interrupt) ends the wait at once.
  const ended = handle.done.then((exit): never => {
    throw new WirelabError(`QEMU ended (${exit.signal ?? `code ${exit.code}`})`);
  });
  ended.catch(() => undefined);
  try {
    agent = await Promise.race([deadline, ended, loading]);
  } catch (e) {
    late = true;
    giveUp.abort();
    const log = (await readFile(files.log, "utf8").catch(() => ""))
      .trim()
      .split("\n")
      .filter((l) => l && !/warning: hub \d+ is not connected/.test(l))
      .slice(-2);
    await handle.stop();
    throw new SnapshotLoadError(log.length ? `QEMU: ${log.join("; ")}` : (e as Error).message);
  } finally {
    clearTimeout(timer);
  }
  try {
    const script = restoreScript(target.identity, {
      seed: randomBytes(64),
      nowNs: BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6)),
      macs: [
        { from: snapshotMac(0), to: target.node.vm.managementMac },
        ...target.node.interfaces.map((i, n) => ({
          from: snapshotMac(n + 1),
          to: i.mac,
          renegotiate: target.tapNics.has(n),
        })),
      ],
    });
    const r = await agent.runScript(script, IDENTITY_TIMEOUT_MS);
    if (r.exitCode !== 0)
      throw new WirelabError(
        `VM ${target.node.name}: its identity could not be set after the restore (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().split("\n").slice(-4).join("; ")}`,
      );
  } finally {
    agent.close();
  }
}

/** Loads the snapshot's state into the waiting QEMU and runs it; resolves once its agent answers. */
async function load(
  files: RestoreTarget["files"],
  snapshot: Snapshot,
  started: Promise<void>,
  signal: AbortSignal,
): Promise<AgentClient> {
  await started;
  await qmp(files.qmp, [
    {
      execute: "migrate-set-capabilities",
      arguments: { capabilities: [{ capability: "x-ignore-shared", state: true }] },
    },
    { execute: "migrate-incoming", arguments: { uri: `exec:cat ${shellQuote(snapshot.state)}` } },
  ]);
  await migrationDone(files.qmp, RESTORE_TIMEOUT_MS, signal);
  // The saved guest was stopped: so is this one, until told.
  await qmp(files.qmp, [{ execute: "cont" }]);
  return AgentClient.waitReady(files.agent, RESTORE_TIMEOUT_MS, signal);
}

async function monitorAnswers(path: string): Promise<boolean> {
  await qmp(path, [{ execute: "query-status" }], 1000);
  return true;
}
