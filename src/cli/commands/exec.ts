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
      const { execInNode, UsageError } = await import("../../index.js");
      // Options given after NODE (`exec r1 --lab x -- cmd`) are exec's own, up to the command.
      const own = { ...opts };
      let argv = command;
      for (;;) {
        const [word, value] = argv;
        const eq = word?.match(/^(--lab|--file)=(.*)$/);
        if (eq) {
          own[eq[1] === "--lab" ? "lab" : "file"] = eq[2] as string;
          argv = argv.slice(1);
        } else if (word === "--lab" || word === "-f" || word === "--file") {
          if (value === undefined) throw new UsageError(`${word} needs a value`);
          own[word === "--lab" ? "lab" : "file"] = value;
          argv = argv.slice(2);
        } else if (word?.startsWith("-") && word !== "--" && word !== "-")
          throw new UsageError(
            `unknown option ${word} before the command; write the command after --: wirelab exec ${node} -- CMD [ARGS…]`,
          );
        else break;
      }
      if (argv[0] === "--") argv = argv.slice(1);
      if (argv.length === 0)
        throw new UsageError(`no command; write it after --: wirelab exec ${node} -- CMD [ARGS…]`);
      const r = await execInNode(
        { ...(own.lab ? { lab: own.lab } : {}), ...(own.file ? { file: own.file } : {}) },
        node,
        argv,
      );
      setExit(r.exitCode);
    });
}
