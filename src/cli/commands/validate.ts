import type { Command } from "commander";
import type { CheckEvent, ValidateResult } from "../../index.js";
import { interruptible } from "../interrupt.js";
import type { CliIO } from "../io.js";
import { cliReporter } from "../progress.js";

/** Exit code of `validate` when netlab's tests gave warnings only (netlab's). */
const WARNINGS_ONLY = 3;

/**
 * Adds `wirelab validate [FILE | --lab NAME]`: netlab's tests (as netlab
 * prints them), then wirelab's reachability tests; exit 1 when a test
 * fails, 3 when netlab's tests gave warnings only.
 */
export function registerValidate(
  program: Command,
  io: CliIO,
  setExit: (code: number) => void,
): void {
  program
    .command("validate")
    .description(
      "run the topology's tests (netlab's too) and ping every directly connected neighbour",
    )
    .argument("[file]", "topology file of the lab")
    .option("--lab <name>", "lab name instead of a file")
    .option(
      "--neighbours",
      "ping every directly connected neighbour (default, but in netlab's files)",
    )
    .option("--no-neighbours", "skip the neighbour pings")
    .option("--nowait", "run netlab's tests once, without waiting or retrying")
    .option(
      "-d, --device <device>",
      "device of nodes that name none, for a lab read from its file (netlab's -d)",
    )
    .option("--json", "print results as JSON")
    .action(
      async (
        file: string | undefined,
        opts: {
          lab?: string;
          neighbours?: boolean;
          nowait?: boolean;
          device?: string;
          json?: boolean;
        },
      ) => {
        const { validateLab } = await import("../../index.js");
        const reporter = await cliReporter(io.interactive && !opts.json);
        const printer = new CheckPrinter(io);
        let r: ValidateResult;
        try {
          r = await interruptible(
            io,
            { stopping: "stopping the tests", afterwards: "the lab is as it was" },
            (signal) =>
              validateLab(
                { ...(file ? { file } : {}), ...(opts.lab ? { lab: opts.lab } : {}) },
                {
                  reporter,
                  signal,
                  ...(opts.neighbours !== undefined ? { neighbours: opts.neighbours } : {}),
                  ...(opts.nowait ? { noWait: true } : {}),
                  ...(opts.device !== undefined ? { device: opts.device } : {}),
                  ...(opts.json ? {} : { onCheck: (e: CheckEvent) => printer.event(e) }),
                },
              ),
          );
        } finally {
          reporter.stop();
        }
        if (opts.json) {
          io.out(`${JSON.stringify(r, null, 2)}\n`);
        } else {
          if (r.checks.length) printer.summary(r);
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
          if (r.results.length || !r.checks.length)
            io.out(`lab ${r.lab}: ${r.passed} passed, ${r.failed} failed\n`);
        }
        const failed = r.failed > 0 || r.checkCounts.failed > 0;
        setExit(failed ? 1 : r.checkCounts.warnings > 0 ? WARNINGS_ONLY : 0);
      },
    );
}

/** Prints netlab's tests as `netlab validate` does: a status column, then the text. */
class CheckPrinter {
  #width = 0;
  #count = 0;
  constructor(readonly io: CliIO) {}

  #line(status: string, text: string): void {
    this.io.out(`${`[${status}]`.padEnd(this.#width)}${text}\n`);
  }

  event(e: CheckEvent): void {
    if (e.type === "begin") {
      // netlab's status column: as wide as the longest test name (at least "[WAITING]"), and a space.
      this.#width = Math.max(...e.checks.map((c) => c.name.length + 2), 9) + 1;
    } else if (e.type === "start") {
      if (this.#count++ > 0) this.io.out("\n");
      const nodes = e.check.nodes.length ? ` [ node(s): ${e.check.nodes.join(",")} ]` : "";
      this.#line(e.check.name, `${e.check.description ?? "Starting test"}${nodes}`);
    } else if (e.type === "waiting") this.#line("WAITING", e.message);
    else if (e.type === "node") {
      const o = e.outcome;
      const status =
        o.status === "pass"
          ? "PASS"
          : o.status === "skipped"
            ? "SKIPPED"
            : o.status === "warning"
              ? "WARNING"
              : "FAIL";
      this.#line(
        status,
        o.status === "pass" ? `${o.node}: ${o.message}` : `Node ${o.node}: ${o.message}`,
      );
    } else {
      const r = e.result;
      if (r.status === "pass" && r.message) this.#line("PASS", r.message);
      else if (r.status === "skipped") this.#line("SKIPPED", r.message ?? "skipped");
      else if (r.nodes.length === 0 && r.message)
        this.#line(r.status === "warning" ? "WARNING" : "FAIL", r.message);
    }
  }

  summary(r: ValidateResult): void {
    const c = r.checkCounts;
    const total = c.passed + c.failed + c.warnings;
    const tests = (n: number) => (n === 1 ? "one test" : `${n} tests`);
    this.io.out("\n");
    if (c.failed > 0)
      this.#line(
        "FAIL",
        `${tests(total).replace(/^./, (x) => x.toUpperCase())} completed, ${tests(c.failed)} failed`,
      );
    else if (c.warnings > 0)
      this.#line(
        "INFO",
        `${tests(c.warnings).replace(/^./, (x) => x.toUpperCase())} out of ${tests(total)} generated a warning`,
      );
    else this.#line("SUCCESS", `Tests passed: ${c.passed}`);
    if (c.skipped > 0)
      this.#line(
        "INFO",
        `${tests(c.skipped).replace(/^./, (x) => x.toUpperCase())} out of ${tests(total + c.skipped)} were skipped, the results are not reliable`,
      );
  }
}
