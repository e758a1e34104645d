import type { Command } from "commander";
import type { CliIO } from "../io.js";

/** Adds `wirelab create FILE --output script|clab|libvirt|vagrant [-o DIR]`. */
export function registerCreate(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command("create")
    .description(
      "write the lab for another tool, from the same plan: script (setup.sh, cleanup.sh), clab (containerlab topology), libvirt (domain and network XML), vagrant (Vagrantfile for vagrant-libvirt)",
    )
    .argument("<file>", "topology file")
    .requiredOption("--output <kind>", "what to write: script, clab, libvirt or vagrant")
    .option("-o, --dir <dir>", "folder to write into (created if missing)", ".")
    .option(
      "-d, --device <device>",
      "device of nodes that name none (netlab's -d; also NETLAB_DEVICE)",
    )
    .action(async (file: string, opts: { output: string; dir: string; device?: string }) => {
      const { LabError, OUTPUTS, createExport } = await import("../../index.js");
      if (!(OUTPUTS as readonly string[]).includes(opts.output)) {
        throw new LabError(`--output must be one of ${OUTPUTS.join(", ")}, not "${opts.output}"`);
      }
      const written = await createExport(
        file,
        opts.output as (typeof OUTPUTS)[number],
        opts.dir,
        opts.device !== undefined ? { device: opts.device } : {},
      );
      for (const path of written) io.out(`wrote ${path}\n`);
      setExit(0);
    });
}
