#!/usr/bin/env node
/**
 * Wire daemon process entry.
 *
 *   node main.js run CONFIG        carries the links of CONFIG (a {@link WireConfig} JSON file)
 *   node main.js supervise CONFIG  runs the daemon (and socat for each namespace
 *                                  interface) and starts each again whenever it dies;
 *                                  on SIGHUP reads CONFIG again for its socats
 *
 * `up` starts the supervisor, detached; `down` sends it SIGTERM, which stops
 * the daemon too. The VMs' tunnels keep their ports, so after a restart the
 * links carry frames again by themselves.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type ProcessHandle, startProcess } from "../process.js";
import type { WireConfig } from "./config.js";
import { startWireDaemon } from "./daemon.js";

const [mode, configFile] = process.argv.slice(2);
if ((mode !== "run" && mode !== "supervise") || !configFile) {
  process.stderr.write("usage: main.js run|supervise CONFIG\n");
  process.exit(2);
}
const log = (msg: string) => process.stderr.write(`${new Date().toISOString()} ${msg}\n`);

/** A child that exits sooner than this after its start (ms) is retried with a growing delay. */
const QUICK_EXIT_MS = 1000;
/** Delay before a child is started again, in ms (times the restarts so far after quick exits). */
const RESTART_DELAY_MS = 200;
/** Longest delay before a restart, in ms. */
const MAX_RESTART_DELAY_MS = 5000;
/** How long children get to stop before SIGKILL, in ms. */
const STOP_GRACE_MS = 2000;

if (mode === "run") {
  const read = () => JSON.parse(readFileSync(configFile, "utf8")) as WireConfig;
  const config = read();
  const daemon = await startWireDaemon(config, read);
  log(`wire daemon ${process.pid}: ${config.links.length} links of lab ${config.lab}`);
  const stop = () => void daemon.close().then(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
} else {
  // The daemon and one socat per namespace interface, each started again when it dies;
  // SIGHUP: the configuration is read again, socats of new interfaces start, gone ones stop.
  const self = fileURLToPath(import.meta.url);
  const children = new Set<ProcessHandle>();
  let stopping = false;
  /** Keeps one child running until its returned stop is called. */
  const keep = (name: string, argv: readonly string[]): (() => Promise<void>) => {
    let restarts = 0;
    let current: ProcessHandle | undefined;
    let retired = false;
    let timer: NodeJS.Timeout | undefined;
    const start = () => {
      const started = Date.now();
      // Children die with the supervisor, even when it is killed (startProcess: setpriv --pdeathsig).
      const child = startProcess(argv, { output: "inherit" });
      current = child;
      children.add(child);
      void child.done.then((exit) => {
        children.delete(child);
        if (stopping || retired) return;
        restarts++;
        // One that dies at once (a port taken, a device not there yet) is retried more slowly.
        const wait =
          Date.now() - started < QUICK_EXIT_MS
            ? Math.min(MAX_RESTART_DELAY_MS, RESTART_DELAY_MS * restarts)
            : RESTART_DELAY_MS;
        log(
          `${name} exited (${exit.signal ?? `code ${exit.code}`}); restart ${restarts} in ${wait} ms`,
        );
        timer = setTimeout(start, wait);
      });
    };
    start();
    return async () => {
      retired = true;
      clearTimeout(timer);
      await current?.stop(STOP_GRACE_MS);
    };
  };
  keep("wire daemon", [process.execPath, self, "run", configFile]);
  const socats = new Map<string, () => Promise<void>>();
  const reconcile = () => {
    const config = JSON.parse(readFileSync(configFile, "utf8")) as WireConfig;
    const wanted = new Map((config.attachments ?? []).map((a) => [JSON.stringify(a), a]));
    for (const [key, stop] of socats) {
      if (wanted.has(key)) continue;
      socats.delete(key);
      void stop();
    }
    for (const [key, a] of wanted) {
      if (socats.has(key)) continue;
      // socat 1.7: INTERFACE is a packet socket on the vEth's host end; one frame per datagram.
      socats.set(
        key,
        keep(`socat for ${a.hostVeth}`, [
          "socat",
          "-b",
          "65536",
          `INTERFACE:${a.hostVeth}`,
          `UDP-DATAGRAM:127.0.0.1:${a.daemon},bind=127.0.0.1:${a.listen}`,
        ]),
      );
    }
  };
  reconcile();
  process.on("SIGHUP", () => {
    try {
      reconcile();
    } catch (e) {
      log(`reload failed: ${(e as Error).message}`);
    }
  });
  const stop = () => {
    stopping = true;
    void Promise.all([...children].map((c) => c.stop(STOP_GRACE_MS))).then(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}
