import type { Command } from "commander";
import { interruptible } from "../interrupt.js";
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
        const target = {
          ...(opts.lab ? { lab: opts.lab } : {}),
          ...(opts.file ? { file: opts.file } : {}),
        };
        // A VM being started is stopped; `up` starts it again.
        const r = await interruptible(
          io,
          {
            stopping: `stopping the restart of ${node}`,
            afterwards: `"wirelab up FILE" puts ${node} back`,
          },
          (signal) => restartNode(target, node, { reporter, signal }),
        );
        reporter.stop();
        io.out(`${node} restarted in ${(r.durationMs / 1000).toFixed(2)} s\n`);
      } finally {
        reporter.stop();
      }
      setExit(0);
    });
}
