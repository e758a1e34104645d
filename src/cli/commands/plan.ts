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
    .option(
      "-d, --device <device>",
      "device of nodes that name none (netlab's -d; also NETLAB_DEVICE)",
    )
    .option("--config <node>", "print the FRR configuration made for a router (frr.conf)")
    .action(async (file: string, opts: { json?: boolean; device?: string; config?: string }) => {
      const { loadAndPlan, describePlan, routerConfigText } = await import("../../index.js");
      const { formatPlan } = await import("../format-plan.js");
      const { plan, notes } = await loadAndPlan(
        file,
        opts.device !== undefined ? { device: opts.device } : {},
      );
      for (const note of notes) io.err(`note: ${note}\n`);
      if (opts.config !== undefined) {
        io.out(await routerConfigText(plan, opts.config));
        setExit(0);
        return;
      }
      io.out(
        opts.json
          ? `${JSON.stringify(plan, null, 2)}\n`
          : `${formatPlan(plan, await describePlan(plan))}\n`,
      );
      setExit(0);
    });
}
