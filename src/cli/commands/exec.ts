import type { Command } from "commander";
import type { CliIO } from "../io.js";

/** Adds `wirelab exec NODE -- CMD…`; the exit code is the command's own. */
export function registerExec(program: Command, _io: CliIO, setExit: (code: number) => void): void {
  program
    .command("exec")
    .description(
      "run a command in a node and return its exit code: wirelab exec NODE -- CMD [ARGS…]",
    )
    .argument("<node>", "node name")
    .argument("<command...>", "command and arguments (after --)")
    .option("--lab <name>", "lab of the node (default: the only lab up)")
    .option("-f, --file <file>", "topology file of the lab")
    .passThroughOptions()
    .action(async (node: string, command: string[], opts: { lab?: string; file?: string }) => {
      const { execInNode } = await import("../../index.js");
      const argv = command[0] === "--" ? command.slice(1) : command;
      const r = await execInNode(
        { ...(opts.lab ? { lab: opts.lab } : {}), ...(opts.file ? { file: opts.file } : {}) },
        node,
        argv,
      );
      setExit(r.exitCode);
    });
}
