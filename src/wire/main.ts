#!/usr/bin/env node
/**
 * Wire daemon process entry.
 *
 *   node main.js run CONFIG        carries the links of CONFIG (a {@link WireConfig} JSON file)
 *   node main.js supervise CONFIG  runs the daemon (and socat for each namespace
 *                                  interface) and starts each again whenever it dies
 *
 * `up` starts the supervisor, detached; `down` sends it SIGTERM, which stops
 * the daemon too. The VMs' tunnels keep their ports, so after a restart the
 * links carry frames again by themselves.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { WireConfig } from "./config.js";
import { startWireDaemon } from "./daemon.js";

const [mode, configFile] = process.argv.slice(2);
if ((mode !== "run" && mode !== "supervise") || !configFile) {
  process.stderr.write("usage: main.js run|supervise CONFIG\n");
  process.exit(2);
}
const log = (msg: string) => process.stderr.write(`${new Date().toISOString()} ${msg}\n`);

if (mode === "run") {
  const config = JSON.parse(readFileSync(configFile, "utf8")) as WireConfig;
  const daemon = await startWireDaemon(config);
  log(`wire daemon ${process.pid}: ${config.links.length} links of lab ${config.lab}`);
  const stop = () => void daemon.close().then(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
} else {
  // The daemon and one socat per namespace interface, each started again when it dies.
  const config = JSON.parse(readFileSync(configFile, "utf8")) as WireConfig;
  const self = fileURLToPath(import.meta.url);
  const children = new Set<ChildProcess>();
  let stopping = false;
  const keep = (name: string, argv: readonly string[]) => {
    let restarts = 0;
    const start = () => {
      const started = Date.now();
      // Children die with the supervisor, even when it is killed (setpriv --pdeathsig, util-linux).
      const child = spawn("setpriv", ["--pdeathsig", "KILL", "--", ...argv], { stdio: "inherit" });
      children.add(child);
      child.on("exit", (code, signal) => {
        children.delete(child);
        if (stopping) return;
        restarts++;
        // One that dies at once (a port taken, a device not there yet) is retried more slowly.
        const wait = Date.now() - started < 1000 ? Math.min(5000, 200 * restarts) : 200;
        log(`${name} exited (${signal ?? `code ${code}`}); restart ${restarts} in ${wait} ms`);
        setTimeout(start, wait);
      });
    };
    start();
  };
  keep("wire daemon", [process.execPath, self, "run", configFile]);
  for (const a of config.attachments ?? []) {
    // socat 1.7: INTERFACE is a packet socket on the vEth's host end; one frame per datagram.
    keep(`socat for ${a.hostVeth}`, [
      "socat",
      "-b",
      "65536",
      `INTERFACE:${a.hostVeth}`,
      `UDP-DATAGRAM:127.0.0.1:${a.daemon},bind=127.0.0.1:${a.listen}`,
    ]);
  }
  const stop = () => {
    stopping = true;
    for (const c of children) c.kill("SIGTERM");
    const deadline = setTimeout(() => {
      for (const c of children) c.kill("SIGKILL");
      process.exit(0);
    }, 2000);
    const check = setInterval(() => {
      if (children.size === 0) {
        clearTimeout(deadline);
        clearInterval(check);
        process.exit(0);
      }
    }, 20);
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}
