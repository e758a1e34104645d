import type { Command } from "commander";
import type { CliIO } from "../io.js";

/** Adds `wirelab plan FILE [--json]`. */
export function registerPlan(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command("plan")
    .description(
      "validate a topology and print every name, MAC, address and route it gives (changes nothing)",
    )
    .argument("<file>", "topology file")
    .option("--json", "print the plan as JSON")
    .action(async (file: string, opts: { json?: boolean }) => {
      const { loadAndPlan, describePlan } = await import("../../index.js");
      const { formatPlan } = await import("../format-plan.js");
      const { plan, notes } = await loadAndPlan(file);
      for (const note of notes) io.err(`note: ${note}\n`);
      io.out(
        opts.json
          ? `${JSON.stringify(plan, null, 2)}\n`
          : `${formatPlan(plan, await describePlan(plan))}\n`,
      );
      setExit(0);
    });
}
