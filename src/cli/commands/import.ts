import type { Command } from "commander";
import type { CliIO } from "../io.js";

/** Adds `wirelab import FILE [-o OUT]`. */
export function registerImport(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command("import")
    .description(
      "write the wirelab topology equivalent to a containerlab or netlab file (up, plan and create read those directly too)",
    )
    .argument("<file>", "containerlab or netlab topology file")
    .option("-o, --out <file>", "write to FILE instead of standard output")
    .action(async (file: string, opts: { out?: string }) => {
      const { writeFile } = await import("node:fs/promises");
      const { importTopology, readTopologyText } = await import("../../index.js");
      const yaml = await importTopology(await readTopologyText(file), file, opts.out);
      if (opts.out) {
        await writeFile(opts.out, yaml);
        io.err(`wrote ${opts.out}\n`);
      } else io.out(yaml);
      setExit(0);
    });
}
