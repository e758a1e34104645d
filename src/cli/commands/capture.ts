import { createWriteStream } from "node:fs";
import type { Writable } from "node:stream";
import type { Command } from "commander";
import type { CliIO } from "../io.js";
import { integerAtLeast } from "../options.js";

interface CaptureFlags {
  lab?: string;
  link: string[];
  node: string[];
  write?: string;
  count?: number;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Adds `wirelab capture [--lab NAME] [NODE IFNAME]… [--node NODE]… [--link NAME]… [FILTER…] [-w FILE|-] [-c N]`. */
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
    .argument(
      "[words...]",
      "NODE IFNAME pairs (e.g. r1 eth1 r2 eth1), then a BPF filter, applied to the frames on the wire (inside tunnels)",
    )
    .option("--lab <name>", "lab of the node (default: the only lab up)")
    .option("--node <name>", "capture every interface of a node (repeatable)", collect, [])
    .option("--link <name>", "capture a whole link or LAN segment (repeatable)", collect, [])
    .option(
      "-w, --write <file>",
      "write pcapng to FILE, or - for standard output (wireshark -k -i -)",
    )
    .option("-c, --count <n>", "stop after N frames", integerAtLeast(1))
    .action(async (words: string[], opts: CaptureFlags) => {
      const { LabError, captureToStream, resolveCaptureTargets, startSummary } = await import(
        "../../index.js"
      );
      const lab = opts.lab ? { lab: opts.lab } : {};
      const { targets, filter } = await resolveCaptureTargets(lab, {
        words,
        nodes: opts.node,
        links: opts.link,
      });
      // A file that cannot be written is said before anything starts.
      if (opts.write && opts.write !== "-") await checkWritable(opts.write, LabError);
      const abort = new AbortController();
      // A write that fails later (a full disk) stops the capture; a reader that went away (EPIPE) ends it quietly.
      let writeError: Error | undefined;
      const watch = (stream: Writable): Writable =>
        stream.on("error", (e: NodeJS.ErrnoException) => {
          if (e.code !== "EPIPE") writeError ??= e;
          abort.abort();
        });
      // Without -w, summaries come from tcpdump reading our pcapng, so they look like `tcpdump -n -e`.
      let summary: ReturnType<typeof startSummary> | undefined;
      const out = (): Writable => {
        if (opts.write === "-") return watch(process.stdout);
        if (opts.write) return watch(createWriteStream(opts.write));
        summary = startSummary();
        return summary.input;
      };
      const onSignal = () => abort.abort();
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
      let opened: Writable | undefined;
      const open = () => {
        opened = out();
        return opened;
      };
      try {
        const r = await captureToStream(lab, targets, open, {
          filter: [...filter],
          signal: abort.signal,
          ...(opts.count !== undefined ? { count: opts.count } : {}),
          // On stderr even with -w -: a reader of stdout knows the capture listens.
          onStart: (name) =>
            io.err(
              `capturing ${name}${filter.length ? ` (${filter.join(" ")})` : ""}; Ctrl-C stops\n`,
            ),
        });
        const stream = opened;
        if (stream && stream !== process.stdout && !writeError)
          await new Promise<void>((resolve) => stream.end(resolve));
        await summary?.done;
        if (writeError)
          throw new LabError(`capture stopped: cannot write ${opts.write}: ${writeError.message}`);
        const skipped = Object.entries(r.skipped);
        io.err(
          `${r.frames} frames${skipped.length ? `; skipped: ${skipped.map(([k, v]) => `${v} ${k}`).join(", ")}` : ""}${r.dropped ? `; ${r.dropped} dropped by the kernel (the capture fell behind)` : ""}${r.late ? `; ${r.late} came over 1.5 s late and are out of timestamp order` : ""}\n`,
        );
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      }
      setExit(0);
    });
}

/**
 * Whether FILE can be written, checked without opening it (a named pipe
 * would block, an existing file keeps its contents until the capture
 * starts): an existing file that is not a folder and is writable, or a
 * writable folder to make it in.
 *
 * @throws the given error class, naming the file and the reason
 */
async function checkWritable(file: string, Err: new (message: string) => Error): Promise<void> {
  const { access, constants, stat } = await import("node:fs/promises");
  const { dirname } = await import("node:path");
  try {
    const st = await stat(file).catch((e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") return undefined;
      throw e;
    });
    if (st?.isDirectory()) throw new Err(`cannot write ${file}: it is a folder`);
    await access(st ? file : dirname(file), constants.W_OK);
  } catch (e) {
    if (e instanceof Err) throw e;
    throw new Err(`cannot write ${file}: ${(e as Error).message.split(", ")[0]}`);
  }
}
