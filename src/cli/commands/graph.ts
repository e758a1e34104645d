import type { Command } from "commander";
import type { CliIO } from "../io.js";
import { integerAtLeast } from "../options.js";

interface GraphFlags {
  lab?: string;
  format: string;
  output?: string;
  device?: string;
  serve?: boolean;
  port?: number;
  host?: string;
  interval?: number;
}

/** Adds `wirelab graph [FILE | --lab NAME] [--format F] [-o FILE]` and `graph --serve [--lab NAME] [--port N]`. */
export function registerGraph(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command("graph")
    .description("draw a lab from its plan: dot, svg (Graphviz), mermaid or json; no root needed")
    .argument("[file]", "topology file (default: the plan of the running lab, --lab)")
    .option("--lab <name>", "a running lab (default: the only lab up)")
    .option("--format <format>", "dot, svg, mermaid or json", "dot")
    .option("-o, --output <file>", "write to a file instead of standard output")
    .option("-d, --device <device>", "device of nodes that name none (netlab's -d)")
    .option("--serve", "serve a running lab's live picture as a web page (root)")
    .option("--port <n>", "port of the page (0: any free one)", integerAtLeast(0), 8470)
    .option("--host <address>", "address the page listens on", "127.0.0.1")
    .option("--interval <ms>", "time between readings of the lab, ms", integerAtLeast(100), 1000)
    .action(async (file: string | undefined, opts: GraphFlags) => {
      const { graphOf, GRAPH_FORMATS, UsageError } = await import("../../index.js");
      if (opts.serve) {
        if (file)
          throw new UsageError("graph --serve shows a running lab: give --lab NAME, not a file");
        await serve(io, opts);
        setExit(0);
        return;
      }
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
    });
}

/** Serves the page until SIGINT or SIGTERM. */
async function serve(io: CliIO, opts: GraphFlags): Promise<void> {
  const { serveGraph } = await import("../../index.js");
  const server = await serveGraph(opts.lab, {
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.host !== undefined ? { host: opts.host } : {}),
    ...(opts.interval !== undefined ? { intervalMs: opts.interval } : {}),
  });
  if (!/^(127\.|::1$|localhost$)/.test(opts.host ?? "127.0.0.1"))
    io.err(
      `warning: the page of lab ${server.lab} is reachable from other hosts on ${opts.host}\n`,
    );
  io.err(`lab ${server.lab}: live picture at ${server.url} (Ctrl-C stops)\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await server.close();
}
