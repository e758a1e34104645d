import type { Command } from "commander";
import type { CliIO } from "../io.js";
import { cliReporter } from "../progress.js";

/** Adds `wirelab validate [FILE | --lab NAME]`; exit 1 when a test fails. */
export function registerValidate(
  program: Command,
  io: CliIO,
  setExit: (code: number) => void,
): void {
  program
    .command("validate")
    .description("run the topology's validate tests and ping every directly connected neighbour")
    .argument("[file]", "topology file of the lab")
    .option("--lab <name>", "lab name instead of a file")
    .option("--no-neighbours", "skip the neighbour pings")
    .option("--json", "print results as JSON")
    .action(
      async (
        file: string | undefined,
        opts: { lab?: string; neighbours: boolean; json?: boolean },
      ) => {
        const { validateLab } = await import("../../index.js");
        const reporter = await cliReporter(io.interactive && !opts.json);
        let r: Awaited<ReturnType<typeof validateLab>>;
        try {
          r = await validateLab(
            { ...(file ? { file } : {}), ...(opts.lab ? { lab: opts.lab } : {}) },
            { reporter, neighbours: opts.neighbours },
          );
        } finally {
          reporter.stop();
        }
        if (opts.json) {
          io.out(`${JSON.stringify(r, null, 2)}\n`);
        } else {
          for (const t of r.results) {
            const mark = t.passed ? "ok  " : "FAIL";
            const outcome = t.replied
              ? `reply${t.rttMs !== undefined ? ` in ${t.rttMs} ms` : ""}`
              : (t.detail ?? "no reply");
            const expect = t.test.expect === "fail" ? " (expected to fail)" : "";
            io.out(
              `${mark} ${t.test.name}: ${t.test.from} → ${t.test.targetNode ? `${t.test.targetNode} ` : ""}${t.test.target}${expect}: ${outcome}\n`,
            );
          }
          io.out(`lab ${r.lab}: ${r.passed} passed, ${r.failed} failed\n`);
        }
        setExit(r.failed > 0 ? 1 : 0);
      },
    );
}
