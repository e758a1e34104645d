import type { Command } from "commander";
import { interruptible } from "../interrupt.js";
import type { CliIO } from "../io.js";
import { integerAtLeast } from "../options.js";
import { cliReporter } from "../progress.js";

/** Adds `wirelab up FILE` and `wirelab down [FILE | --lab NAME]`; Ctrl-C during `up` removes what was built. */
export function registerUpDown(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command("up")
    .description(
      "build the lab of a topology file, or apply the changes of an edited one to the running lab (idempotent)",
    )
    .argument("<file>", "topology file")
    .option("--json", "print the result as JSON")
    .option("--concurrency <n>", "namespaces configured at once", integerAtLeast(1), 4)
    .option(
      "-d, --device <device>",
      "device of nodes that name none (netlab's -d; also NETLAB_DEVICE)",
    )
    .option("--dry-run", "print what up would create or change, and change nothing")
    .option("--no-apply", "refuse a changed topology instead of applying it (run down first)")
    .action(
      async (
        file: string,
        opts: {
          json?: boolean;
          concurrency: number;
          device?: string;
          dryRun?: boolean;
          apply: boolean;
        },
      ) => {
        const { up } = await import("../../index.js");
        const reporter = await cliReporter(io.interactive && !opts.json);
        try {
          // The record stays after a second signal, so that `wirelab down` finds what is left.
          const r = await interruptible(
            io,
            {
              stopping: "stopping and removing what was built",
              afterwards: `"wirelab down ${file}" removes what is left`,
            },
            (signal) =>
              up(file, {
                reporter,
                concurrency: opts.concurrency,
                signal,
                apply: opts.apply,
                ...(opts.dryRun ? { dryRun: true } : {}),
                ...(opts.device !== undefined ? { device: opts.device } : {}),
              }),
          );
          reporter.stop();
          const nodes = r.plan.nodes.length;
          const links = r.plan.links.length;
          if (opts.json) {
            io.out(
              `${JSON.stringify({ lab: r.lab, changed: r.changed, ...(opts.dryRun ? { dryRun: true } : {}), changes: r.changes, nodes, links, durationMs: Math.round(r.durationMs) })}\n`,
            );
          } else if (opts.dryRun) {
            io.out(
              r.changes.length
                ? `up would change lab ${r.lab}:\n${r.changes.map((c) => `  ${c}\n`).join("")}`
                : `lab ${r.lab} is up as planned; up would change nothing\n`,
            );
          } else if (r.changed && r.changes.length) {
            io.out(
              `lab ${r.lab} changed in ${(r.durationMs / 1000).toFixed(2)} s:\n${r.changes.map((c) => `  ${c}\n`).join("")}`,
            );
          } else if (r.changed) {
            io.out(
              `lab ${r.lab} is up: ${count(nodes, "node")}, ${count(links, "link")} in ${(r.durationMs / 1000).toFixed(2)} s\n`,
            );
            // netlab's message to the lab's user.
            if (r.plan.message) io.out(`\n${r.plan.message.trimEnd()}\n`);
          } else {
            io.out(`lab ${r.lab} is already up as planned; nothing to do\n`);
          }
        } finally {
          reporter.stop();
        }
        setExit(0);
      },
    );

  program
    .command("down")
    .description("remove everything a lab created (also after an interrupted up)")
    .argument("[file]", "topology file of the lab")
    .option("--lab <name>", "lab name instead of a file")
    .option("--json", "print the result as JSON")
    .action(async (file: string | undefined, opts: { lab?: string; json?: boolean }) => {
      const { down } = await import("../../index.js");
      const reporter = await cliReporter(io.interactive && !opts.json);
      try {
        const r = await down(
          { ...(file ? { file } : {}), ...(opts.lab ? { lab: opts.lab } : {}) },
          { reporter },
        );
        reporter.stop();
        if (opts.json)
          io.out(
            `${JSON.stringify({ lab: r.lab, changed: r.changed, removed: r.removed, objects: r.objects, ...(r.foundByName ? { foundByName: r.foundByName } : {}), durationMs: Math.round(r.durationMs) })}\n`,
          );
        else if (r.changed)
          io.out(
            `lab ${r.lab} is down: ${downSummary(r)} in ${(r.durationMs / 1000).toFixed(2)} s\n`,
          );
        else if (r.logsRemoved)
          io.out(`lab ${r.lab} is not up; removed the logs of its failed up (${r.logsRemoved})\n`);
        else io.out(`lab ${r.lab} is not up; nothing to do\n`);
      } finally {
        reporter.stop();
      }
      setExit(0);
    });
}

/** `1 link`, `2 links`. */
const count = (k: number, what: string): string => `${k} ${what}${k === 1 ? "" : "s"}`;

/** `2 VMs stopped, 3 host devices and 4 namespaces removed` (only the parts that apply). */
function downSummary(r: {
  removed: readonly string[];
  vms?: readonly string[];
  hostDevices?: readonly string[];
  objects: Readonly<Record<string, readonly string[]>>;
}): string {
  const n = count;
  const frr = r.objects["FRR daemon"]?.length ?? 0;
  const removed = [
    ...(r.hostDevices?.length ? [n(r.hostDevices.length, "host device")] : []),
    n(r.removed.length, "namespace"),
  ].join(" and ");
  const stopped = [
    ...(r.vms?.length ? [n(r.vms.length, "VM")] : []),
    ...(frr ? [n(frr, "FRR daemon")] : []),
  ];
  return `${stopped.length ? `${stopped.join(" and ")} stopped, ` : ""}${removed} removed`;
}
