import { createWriteStream } from "node:fs";
import type { Writable } from "node:stream";
import type { Command } from "commander";
import type { CliIO } from "../io.js";

interface CaptureFlags {
  lab?: string;
  link?: string;
  write?: string;
  count?: number;
}

/** Adds `wirelab capture [--lab NAME] (NODE IFNAME | --link NAME) [FILTER…] [-w FILE|-] [-c N]`. */
export function registerCapture(
  program: Command,
  io: CliIO,
  setExit: (code: number) => void,
): void {
  program
    .command("capture")
    .description(
      "capture an interface or a link live, on every link type (UDP tunnels decapsulated); pcapng with -w",
    )
    .argument("[node]", "node name")
    .argument("[ifname]", "interface of the node, e.g. eth1")
    .argument("[filter...]", "BPF filter, applied to the frames on the wire (inside tunnels)")
    .option("--lab <name>", "lab of the node (default: the only lab up)")
    .option("--link <name>", "capture a whole link or LAN segment (then every argument is filter)")
    .option(
      "-w, --write <file>",
      "write pcapng to FILE, or - for standard output (wireshark -k -i -)",
    )
    .option("-c, --count <n>", "stop after N frames", (v) => Number.parseInt(v, 10))
    .action(
      async (
        node: string | undefined,
        ifname: string | undefined,
        rest: string[],
        opts: CaptureFlags,
      ) => {
        const { LabError, captureToStream, startSummary } = await import("../../index.js");
        const filter = opts.link
          ? [node, ifname, ...rest].filter((w): w is string => w !== undefined)
          : rest;
        if (!opts.link && (node === undefined || ifname === undefined)) {
          throw new LabError("name a NODE and an IFNAME, or a link with --link NAME");
        }
        const what = opts.link
          ? { link: opts.link }
          : { node: node as string, ifname: ifname as string };
        // Without -w, summaries come from tcpdump reading our pcapng, so they look like `tcpdump -n -e`.
        let summary: ReturnType<typeof startSummary> | undefined;
        const out = (): Writable => {
          if (opts.write === "-") return process.stdout;
          if (opts.write) return createWriteStream(opts.write);
          summary = startSummary();
          return summary.input;
        };
        const abort = new AbortController();
        const onSignal = () => abort.abort();
        process.once("SIGINT", onSignal);
        process.once("SIGTERM", onSignal);
        let opened: Writable | undefined;
        const open = () => {
          opened = out();
          return opened;
        };
        try {
          const r = await captureToStream(opts.lab ? { lab: opts.lab } : {}, what, open, {
            filter,
            signal: abort.signal,
            ...(opts.count !== undefined ? { count: opts.count } : {}),
            // On stderr even with -w -: a reader of stdout knows the capture listens.
            onStart: () =>
              io.err(
                `capturing ${opts.link ? `link ${opts.link}` : `${node} ${ifname}`}${filter.length ? ` (${filter.join(" ")})` : ""}; Ctrl-C stops\n`,
              ),
          });
          const stream = opened;
          if (stream && stream !== process.stdout)
            await new Promise<void>((resolve) => stream.end(resolve));
          await summary?.done;
          const skipped = Object.entries(r.skipped);
          io.err(
            `${r.frames} frames${skipped.length ? `; skipped: ${skipped.map(([k, v]) => `${v} ${k}`).join(", ")}` : ""}${r.dropped ? `; ${r.dropped} dropped by the kernel (the capture fell behind)` : ""}\n`,
          );
        } finally {
          process.off("SIGINT", onSignal);
          process.off("SIGTERM", onSignal);
        }
        setExit(0);
      },
    );
}
