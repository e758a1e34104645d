import type { Command } from "commander";
import type { CliIO } from "../io.js";
import { cliReporter } from "../progress.js";

/** Adds `wirelab restart [--lab NAME] NODE`. */
export function registerRestart(
  program: Command,
  io: CliIO,
  setExit: (code: number) => void,
): void {
  program
    .command("restart")
    .description("restart one node; its links come back without touching its peers")
    .argument("<node>", "node name")
    .option("--lab <name>", "lab of the node (default: the only lab up)")
    .option("-f, --file <file>", "topology file of the lab")
    .action(async (node: string, opts: { lab?: string; file?: string }) => {
      const { restartNode } = await import("../../index.js");
      const reporter = await cliReporter(io.interactive);
      try {
        const r = await restartNode(
          { ...(opts.lab ? { lab: opts.lab } : {}), ...(opts.file ? { file: opts.file } : {}) },
          node,
          { reporter },
        );
        reporter.stop();
        io.out(`${node} restarted in ${(r.durationMs / 1000).toFixed(2)} s\n`);
      } finally {
        reporter.stop();
      }
      setExit(0);
    });
}
