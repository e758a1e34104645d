import type { Command } from "commander";
import type { CliIO } from "../io.js";

/** Adds `wirelab graph [FILE | --lab NAME] [--format F] [-o FILE]`. */
export function registerGraph(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command("graph")
    .description("draw a lab from its plan: dot, svg (Graphviz), mermaid or json; no root needed")
    .argument("[file]", "topology file (default: the plan of the running lab, --lab)")
    .option("--lab <name>", "a running lab (default: the only lab up)")
    .option("--format <format>", "dot, svg, mermaid or json", "dot")
    .option("-o, --output <file>", "write to a file instead of standard output")
    .option("-d, --device <device>", "device of nodes that name none (netlab's -d)")
    .action(
      async (
        file: string | undefined,
        opts: { lab?: string; format: string; output?: string; device?: string },
      ) => {
        const { graphOf, GRAPH_FORMATS, UsageError } = await import("../../index.js");
        const format = opts.format as (typeof GRAPH_FORMATS)[number];
        if (!GRAPH_FORMATS.includes(format))
          throw new UsageError(
            `--format must be one of ${GRAPH_FORMATS.join(", ")}, not "${opts.format}"`,
          );
        if (file && opts.lab) throw new UsageError("give a FILE or --lab, not both");
        const text = await graphOf(
          file ? { file } : opts.lab ? { lab: opts.lab } : {},
          format,
          opts.device !== undefined ? { device: opts.device } : {},
        );
        if (opts.output) {
          const { writeFile } = await import("node:fs/promises");
          await writeFile(opts.output, text);
        } else io.out(text);
        setExit(0);
      },
    );
}
