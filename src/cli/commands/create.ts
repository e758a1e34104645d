import type { Command } from "commander";
import type { CliIO } from "../io.js";

const OUTPUTS = ["script", "clab"] as const;

/** Adds `wirelab create FILE --output script|clab [-o DIR]`. */
export function registerCreate(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command("create")
    .description(
      "write the lab for another tool, from the same plan: script (setup.sh, cleanup.sh), clab (containerlab topology)",
    )
    .argument("<file>", "topology file")
    .requiredOption("--output <kind>", `what to write: ${OUTPUTS.join(", ")}`)
    .option("-o, --dir <dir>", "folder to write into (created if missing)", ".")
    .action(async (file: string, opts: { output: string; dir: string }) => {
      const { LabError } = await import("../../errors.js");
      if (!(OUTPUTS as readonly string[]).includes(opts.output)) {
        throw new LabError(`--output must be one of ${OUTPUTS.join(", ")}, not "${opts.output}"`);
      }
      const { loadAndPlan } = await import("../../lab/load-plan.js");
      const { scriptExport } = await import("../../export/script.js");
      const { clabExport } = await import("../../export/clab.js");
      const { mkdir, writeFile, chmod } = await import("node:fs/promises");
      const { join } = await import("node:path");
      const { plan } = await loadAndPlan(file);
      const files: Record<string, string> =
        opts.output === "clab"
          ? { [`${plan.lab}.clab.yml`]: clabExport(plan, file) }
          : { ...scriptExport(plan, file) };
      await mkdir(opts.dir, { recursive: true });
      for (const [name, text] of Object.entries(files)) {
        const path = join(opts.dir, name);
        await writeFile(path, text);
        if (name.endsWith(".sh")) await chmod(path, 0o755);
        io.out(`wrote ${path}\n`);
      }
      setExit(0);
    });
}
