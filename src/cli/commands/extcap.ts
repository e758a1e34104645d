import { realpathSync } from "node:fs";
import type { Command } from "commander";
import type { CliIO } from "../io.js";
import { packageVersion } from "../version.js";

interface ExtcapFlags {
  extcapInterfaces?: boolean;
  extcapVersion?: string | boolean;
  extcapInterface?: string;
  extcapDlts?: boolean;
  extcapConfig?: boolean;
  capture?: boolean;
  fifo?: string;
  extcapCaptureFilter?: string;
  dir?: string;
}

/**
 * Adds `wirelab extcap`: Wireshark's extcap interface (Wireshark runs it
 * with the `--extcap-…` arguments) and `wirelab extcap install|uninstall
 * [--dir DIR]`, which put the program into Wireshark's extcap folder.
 */
export function registerExtcap(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command("extcap")
    .description(
      "Wireshark's extcap interface to running labs; `extcap install` puts it in Wireshark's extcap folder",
    )
    .argument("[action]", "install or uninstall (without: run as Wireshark runs extcaps)")
    .option("--dir <folder>", "install into this folder (default: tshark -G folders' extcap path)")
    .option("--extcap-interfaces", "list every interface of every running lab")
    .option("--extcap-version [version]", "Wireshark's version (given with --extcap-interfaces)")
    .option("--extcap-interface <name>", "the interface, wirelab:LAB:NODE:IFNAME")
    .option("--extcap-dlts", "the interface's link-layer type")
    .option("--extcap-config", "the interface's settings (none)")
    .option("--capture", "capture the interface into --fifo")
    .option("--fifo <path>", "Wireshark's fifo")
    .option("--extcap-capture-filter <filter>", "BPF filter (alone: check it)")
    .option("--extcap-control-in <path>", "unused (wirelab has no toolbar controls)")
    .option("--extcap-control-out <path>", "unused (wirelab has no toolbar controls)")
    .action(async (action: string | undefined, opts: ExtcapFlags) => {
      const lib = await import("../../index.js");
      if (action === "install") {
        // Wireshark runs the program with its own environment: node and the CLI by absolute path.
        const cli = realpathSync(process.argv[1] ?? "");
        const r = await lib.installExtcap([process.execPath, cli], {
          ...(opts.dir !== undefined ? { dir: opts.dir } : {}),
        });
        io.out(`installed ${r.path} (runs ${r.runs.join(" ")} extcap)\n`);
        setExit(0);
        return;
      }
      if (action === "uninstall") {
        const path = await lib.uninstallExtcap(opts.dir !== undefined ? { dir: opts.dir } : {});
        io.out(path ? `removed ${path}\n` : "no wirelab extcap program was installed there\n");
        setExit(0);
        return;
      }
      if (action !== undefined)
        throw new lib.UsageError(`unknown action "${action}": give install or uninstall`);
      if (opts.extcapInterfaces) {
        // Wireshark lists every extcap at start: a lab whose record cannot be read is left out, nothing fails.
        const labs = await new lib.StateStore()
          .scan()
          .then((s) => s.states.filter((l) => l.status === "up" || l.status === "applying"))
          .catch(() => []);
        io.out(lib.extcapInterfaces(packageVersion(), labs));
        setExit(0);
        return;
      }
      const name = opts.extcapInterface;
      if (name === undefined)
        throw new lib.UsageError(
          "wirelab extcap is run by Wireshark: give --extcap-interfaces, or --extcap-interface NAME with --extcap-dlts, --extcap-config or --capture --fifo PATH",
        );
      lib.parseExtcapName(name);
      if (opts.extcapDlts) io.out(lib.extcapDlts());
      else if (opts.extcapConfig) io.out(lib.extcapConfig());
      else if (opts.capture) await capture(io, name, opts, lib);
      else if (opts.extcapCaptureFilter !== undefined) {
        io.out(await lib.checkCaptureFilter(opts.extcapCaptureFilter));
      } else
        throw new lib.UsageError(
          "give --extcap-dlts, --extcap-config or --capture with --extcap-interface",
        );
      setExit(0);
    });
}

/** Captures until Wireshark sends SIGTERM (or SIGINT) or closes the fifo. */
async function capture(
  io: CliIO,
  name: string,
  opts: ExtcapFlags,
  lib: typeof import("../../index.js"),
): Promise<void> {
  if (!opts.fifo) throw new lib.UsageError("--capture needs --fifo PATH");
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  try {
    const r = await lib.extcapCapture(name, opts.fifo, {
      ...(opts.extcapCaptureFilter !== undefined ? { filter: opts.extcapCaptureFilter } : {}),
      signal: abort.signal,
    });
    io.err(`${r.frames} frames\n`);
  } finally {
    process.off("SIGTERM", stop);
    process.off("SIGINT", stop);
  }
}
