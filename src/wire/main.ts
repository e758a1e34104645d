#!/usr/bin/env node
/**
 * Wire daemon process entry.
 *
 *   node main.js run CONFIG        carries the links of CONFIG (a {@link WireConfig} JSON file)
 *   node main.js supervise CONFIG  runs the daemon and starts it again whenever it dies
 *
 * `up` starts the supervisor, detached; `down` sends it SIGTERM, which stops
 * the daemon too. The VMs' tunnels keep their ports, so after a restart the
 * links carry frames again by themselves.
 */
import { spawn } from "node:child_process";
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
  let stopping = false;
  let child: ReturnType<typeof spawn> | undefined;
  let restarts = 0;
  const self = fileURLToPath(import.meta.url);
  const start = () => {
    const started = Date.now();
    child = spawn(process.execPath, [self, "run", configFile], { stdio: "inherit" });
    child.on("exit", (code, signal) => {
      if (stopping) process.exit(0);
      restarts++;
      // A daemon that dies at once (a port taken) is retried more slowly.
      const wait = Date.now() - started < 1000 ? Math.min(5000, 200 * restarts) : 200;
      log(`wire daemon exited (${signal ?? `code ${code}`}); restart ${restarts} in ${wait} ms`);
      setTimeout(start, wait);
    });
  };
  const stop = () => {
    stopping = true;
    if (!child || child.exitCode !== null) process.exit(0);
    child.kill("SIGTERM");
    setTimeout(() => {
      child?.kill("SIGKILL");
      process.exit(0);
    }, 2000).unref();
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  start();
}
