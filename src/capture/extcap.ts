/**
 * wirelab as a Wireshark extcap program (Wireshark's extcap(4) man page and
 * its Developer's Guide, "Extcap: Developer Guide"): Wireshark and tshark
 * run every program in their extcap folder with `--extcap-interfaces` and
 * list what it prints; capturing one of those interfaces runs it with
 * `--capture --extcap-interface IF --fifo PATH` and reads the capture from
 * the fifo. wirelab lists every interface of every running lab as
 * `wirelab:LAB:NODE:IFNAME` and streams its live capture (the same as
 * `wirelab capture -w`: pcapng, tunnels decapsulated, directions) into the
 * fifo. The sentences are `extcap {…}`, `interface {value=…}{display=…}`,
 * `dlt {number=…}{name=…}{display=…}`; a filter is checked by running the
 * program with `--extcap-capture-filter F` alone: nothing on standard output
 * means valid, else its first line says why (Wireshark's extcap.c,
 * `extcap_verify_capture_filter`).
 */
import { createWriteStream } from "node:fs";
import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Writable } from "node:stream";
import { LabError, WirelabError } from "../errors.js";
import { defaultRunner, type Runner } from "../exec.js";
import { type LabDeps, resolveDeps } from "../lab/deps.js";
import { shellQuote } from "../shell.js";
import { extcapConfig, extcapDlts, parseExtcapName } from "./extcap-names.js";

/** The extcap program's file name in Wireshark's extcap folder. */
export const EXTCAP_PROGRAM = "wirelab";

import { type CaptureSummary, captureToStream } from "./to-stream.js";

/**
 * Checks a BPF filter for Ethernet frames as tcpdump compiles it (`tcpdump
 * -d -i lo -y EN10MB`: compiled, printed, nothing captured).
 *
 * @returns "" when valid, else what tcpdump says about it (one line)
 */
export async function checkCaptureFilter(
  filter: string,
  run: Runner = defaultRunner,
): Promise<string> {
  if (!filter.trim()) return "";
  try {
    await run("tcpdump", ["-d", "-i", "lo", "-y", "EN10MB", filter]);
    return "";
  } catch (e) {
    const said = String(
      (e as { result?: { stderr?: string } }).result?.stderr ?? (e as Error).message,
    )
      .split("\n")
      .map((l) => l.replace(/^tcpdump: /, "").trim())
      .filter((l) => l && !l.startsWith("data link type"));
    return `${said[0] ?? "tcpdump refused the filter"}`;
  }
}

/** Options of {@link extcapCapture}. */
export interface ExtcapCaptureOptions extends LabDeps {
  /** The capture filter Wireshark passed (`--extcap-capture-filter`). */
  readonly filter?: string;
  /** Stops the capture (SIGTERM from Wireshark). */
  readonly signal?: AbortSignal;
  /** Opens the fifo (tests give a stream). @default fs.createWriteStream(fifo) */
  readonly open?: (fifo: string) => Writable;
}

/**
 * Captures a wirelab interface into Wireshark's fifo until Wireshark stops
 * it (SIGTERM: `signal`) or closes the fifo (EPIPE); every tcpdump and
 * daemon reader of the capture has ended when it resolves.
 *
 * @throws {UsageError} for a name that is not wirelab's
 * @throws {LabError} as `wirelab capture` (a lab that is not up, an unknown node or interface)
 * @throws {PermissionError} without root (Wireshark runs its extcaps as its own user)
 */
export async function extcapCapture(
  name: string,
  fifo: string,
  options: ExtcapCaptureOptions = {},
): Promise<CaptureSummary> {
  const { lab, node, ifname } = parseExtcapName(name);
  const abort = new AbortController();
  const stop = () => abort.abort();
  options.signal?.addEventListener("abort", stop, { once: true });
  if (options.signal?.aborted) stop();
  let failure: Error | undefined;
  const open = () => {
    const stream = options.open ? options.open(fifo) : createWriteStream(fifo);
    // Wireshark closed its end (the capture stopped): stop quietly; any other write error is said.
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code !== "EPIPE") failure ??= e;
      stop();
    });
    stream.on("close", stop);
    return stream;
  };
  try {
    const summary = await captureToStream({ lab }, { node, ifname }, open, {
      ...options,
      filter: options.filter?.trim() ? [options.filter] : [],
      signal: abort.signal,
    });
    if (failure) throw new LabError(`wirelab capture: cannot write ${fifo}: ${failure.message}`);
    return summary;
  } finally {
    options.signal?.removeEventListener("abort", stop);
  }
}

/**
 * Where Wireshark looks for extcap programs: its "Extcap path" (`tshark -G
 * folders`).
 *
 * @throws {WirelabError} when tshark does not say (naming the package)
 */
export async function extcapDir(run: Runner): Promise<string> {
  const r = await run("tshark", ["-G", "folders"]);
  const dir = /^Extcap path:\s*(\S.*)$/m.exec(r.stdout)?.[1]?.trim();
  if (!dir)
    throw new WirelabError(
      "tshark -G folders names no extcap path; install Debian's tshark (or wireshark) package, or give --dir",
    );
  return dir;
}

/** What {@link installExtcap} did. */
export interface ExtcapInstall {
  /** The program written. */
  readonly path: string;
  /** Its command line: node and wirelab's CLI. */
  readonly runs: readonly string[];
}

/**
 * Writes the extcap program into Wireshark's extcap folder: a small `sh`
 * script that runs `NODE CLI extcap "$@"` (Wireshark runs it with the
 * extcap arguments; it needs no interpreter on its command line).
 *
 * @param cli the node binary and wirelab's CLI script it runs
 * @param dir the folder @default {@link extcapDir}
 * @throws {WirelabError} when the folder cannot be found or written
 */
export async function installExtcap(
  cli: readonly [string, string],
  options: LabDeps & { readonly dir?: string } = {},
): Promise<ExtcapInstall> {
  const deps = resolveDeps(options);
  const dir = options.dir ?? (await extcapDir(deps.run));
  const path = join(dir, EXTCAP_PROGRAM);
  const print = (text: string) =>
    text ? `printf '%s\\n' ${text.trimEnd().split("\n").map(shellQuote).join(" ")}; ` : "";
  const text = [
    "#!/bin/sh",
    "# wirelab's Wireshark extcap program (written by `wirelab extcap install`):",
    "# lists the interfaces of running labs as wirelab:LAB:NODE:IFNAME and captures them.",
    "# Wireshark asks every interface's settings and link type when it starts: answered",
    "# here, without starting Node.js once per interface.",
    'case " $* " in',
    `  *" --extcap-config "*) ${print(extcapConfig())}exit 0 ;;`,
    `  *" --extcap-dlts "*) ${print(extcapDlts())}exit 0 ;;`,
    "esac",
    `exec ${cli.map(shellQuote).join(" ")} extcap "$@"`,
    "",
  ].join("\n");
  try {
    await mkdir(dir, { recursive: true });
    const tmp = join(dirname(path), `.${EXTCAP_PROGRAM}.${process.pid}`);
    await writeFile(tmp, text);
    await chmod(tmp, 0o755);
    await rename(tmp, path);
  } catch (e) {
    throw new WirelabError(
      `cannot write ${path}: ${(e as Error).message} (run as root, or give --dir)`,
    );
  }
  return { path, runs: cli };
}

/**
 * Removes the extcap program {@link installExtcap} wrote (only a file it wrote).
 *
 * @returns the path removed, or undefined when there was none
 * @throws {WirelabError} when the file there is not wirelab's
 */
export async function uninstallExtcap(
  options: LabDeps & { readonly dir?: string } = {},
): Promise<string | undefined> {
  const deps = resolveDeps(options);
  const path = join(options.dir ?? (await extcapDir(deps.run)), EXTCAP_PROGRAM);
  const text = await readFile(path, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  if (!text.includes("wirelab extcap install"))
    throw new WirelabError(`${path} was not written by wirelab extcap install; left as it is`);
  await rm(path);
  return path;
}
