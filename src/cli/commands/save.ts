import type { Command } from "commander";
import type { CliIO } from "../io.js";

/** Adds `wirelab save [FILE | --lab NAME] [-o DIR]`: every router's running configuration to files. */
export function registerSave(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command("save")
    .description(
      "write every router's running configuration to DIR/<node>/frr.conf, for config: in a later up",
    )
    .argument("[file]", "topology file of the lab")
    .option("--lab <name>", "lab name instead of a file")
    .option(
      "-o, --dir <dir>",
      "folder to write into (default: wirelab-<lab>/ next to the topology file)",
    )
    .action(async (file: string | undefined, opts: { lab?: string; dir?: string }) => {
      const { saveConfigs } = await import("../../index.js");
      const r = await saveConfigs(
        { ...(file ? { file } : {}), ...(opts.lab ? { lab: opts.lab } : {}) },
        opts.dir ? { dir: opts.dir } : {},
      );
      for (const s of r.saved) io.out(`${s.node}: ${s.file}\n`);
      io.out(
        `saved the running configuration of ${r.saved.length} router${r.saved.length === 1 ? "" : "s"} of lab ${r.lab} in ${r.dir}\n`,
      );
      setExit(0);
    });
}
