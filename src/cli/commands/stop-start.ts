import type { Command } from "commander";
import { interruptible } from "../interrupt.js";
import type { CliIO } from "../io.js";
import { cliReporter } from "../progress.js";

/** Adds `wirelab stop [--lab NAME] NODE` and `wirelab start [--lab NAME] NODE`. */
export function registerStopStart(
  program: Command,
  io: CliIO,
  setExit: (code: number) => void,
): void {
  for (const verb of ["stop", "start"] as const) {
    program
      .command(verb)
      .description(
        verb === "stop"
          ? "stop one node, its wires parked: its p2p peers see carrier down"
          : "start a stopped node again, with the same identity and wires",
      )
      .argument("<node>", "node name")
      .option("--lab <name>", "lab of the node (default: the only lab up)")
      .option("-f, --file <file>", "topology file of the lab")
      .action(async (node: string, opts: { lab?: string; file?: string }) => {
        const { startNode, stopNode } = await import("../../index.js");
        const reporter = await cliReporter(io.interactive);
        try {
          const target = {
            ...(opts.lab ? { lab: opts.lab } : {}),
            ...(opts.file ? { file: opts.file } : {}),
          };
          const run = verb === "stop" ? stopNode : startNode;
          const r = await interruptible(
            io,
            {
              stopping: `stopping the ${verb} of ${node}`,
              afterwards: `"wirelab start ${node}" or "wirelab up FILE" starts ${node}`,
            },
            (signal) => run(target, node, { reporter, signal }),
          );
          reporter.stop();
          io.out(
            r.changed
              ? `${node} ${verb === "stop" ? "stopped" : "started"} in ${(r.durationMs / 1000).toFixed(2)} s\n`
              : `${node} was ${verb === "stop" ? "stopped" : "running"} already\n`,
          );
        } finally {
          reporter.stop();
        }
        setExit(0);
      });
  }
}
