/**
 * The wirelab command line: flags → library options → output and exit code.
 * Never calls `process.exit`; `bin.ts` sets the exit code.
 *
 * Exit codes: 0 success; 1 failure (a test failed, the kernel refused, a lab
 * conflict); 2 invalid topology or usage; 77 needs root; `exec` returns the
 * command's own code.
 */
import { Command, CommanderError } from "commander";
import { registerCapture } from "./commands/capture.js";
import { registerConsole } from "./commands/console.js";
import { registerCreate } from "./commands/create.js";
import { registerExec } from "./commands/exec.js";
import { registerExtcap } from "./commands/extcap.js";
import { registerGraph } from "./commands/graph.js";
import { registerImage } from "./commands/image.js";
import { registerImport } from "./commands/import.js";
import { registerLink } from "./commands/link.js";
import { registerPlan } from "./commands/plan.js";
import { registerRestart } from "./commands/restart.js";
import { registerSave } from "./commands/save.js";
import { registerStatus } from "./commands/status.js";
import { registerStopStart } from "./commands/stop-start.js";
import { registerUpDown } from "./commands/up-down.js";
import { registerValidate } from "./commands/validate.js";
import { type CliIO, processIO } from "./io.js";
import { packageVersion } from "./version.js";

/**
 * Runs the CLI.
 *
 * @param argv - arguments after the program name
 * @param io - output streams @default processIO
 * @returns the exit code
 */
export async function main(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  let exitCode = 0;
  const setExit = (code: number) => {
    exitCode = code;
  };
  const program = new Command("wirelab")
    .description(
      "virtual network labs on one Linux host: namespaces joined by real wires, addressed and routed",
    )
    .version(packageVersion())
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showSuggestionAfterError();
  registerPlan(program, io, setExit);
  registerUpDown(program, io, setExit);
  registerStatus(program, io, setExit);
  registerExec(program, io, setExit);
  registerValidate(program, io, setExit);
  registerImage(program, io, setExit);
  registerRestart(program, io, setExit);
  registerStopStart(program, io, setExit);
  registerGraph(program, io, setExit);
  registerConsole(program, io, setExit);
  registerSave(program, io, setExit);
  registerCapture(program, io, setExit);
  registerExtcap(program, io, setExit);
  registerLink(program, io, setExit);
  registerCreate(program, io, setExit);
  registerImport(program, io, setExit);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (e) {
    // With --json (before a command's own "--"), a failure is JSON too.
    const words = argv.includes("--") ? argv.slice(0, argv.indexOf("--")) : argv;
    return await reportError(e, io, words.includes("--json"));
  }
}

/**
 * Prints a failure and gives its exit code. As JSON on stdout with
 * `--json`: `{ "error": { "message", "exitCode", "diagnostics"? } }`.
 */
async function reportError(e: unknown, io: CliIO, json: boolean): Promise<number> {
  if (e instanceof CommanderError) {
    // Help and version exit 0; usage errors were already printed by commander.
    const code = e.exitCode === 0 ? 0 : 2;
    if (json && code !== 0)
      io.out(`${JSON.stringify({ error: { message: e.message, exitCode: 2 } })}\n`);
    return code;
  }
  // Loaded only now: a command that succeeds (or --help) never loads what errors need.
  const { TopologyError, WirelabError } = await import("../index.js");
  const { printable, renderDiagnostic } = await import("./render.js");
  const fileProblems: Record<string, string> = {
    ENOENT: "no such file",
    EACCES: "permission denied",
    EISDIR: "is a folder, not a topology file",
  };
  const err = e as NodeJS.ErrnoException;
  const known =
    e instanceof WirelabError
      ? { message: e.message, exitCode: e.exitCode }
      : err?.path && err.code && fileProblems[err.code]
        ? { message: `${err.path}: ${fileProblems[err.code]}`, exitCode: 2 }
        : undefined;
  if (json) {
    const error = known ?? { message: `internal error: ${err?.stack ?? String(e)}`, exitCode: 70 };
    const diagnostics = e instanceof TopologyError ? { diagnostics: e.diagnostics } : {};
    io.out(`${JSON.stringify({ error: { ...error, ...diagnostics } }, null, 2)}\n`);
    return error.exitCode;
  }
  if (e instanceof TopologyError) {
    for (const d of e.diagnostics) io.err(`${renderDiagnostic(d)}\n`);
    io.err(
      `${e.diagnostics.length} problem${e.diagnostics.length === 1 ? "" : "s"}; nothing was changed\n`,
    );
    return e.exitCode;
  }
  if (known) {
    io.err(`wirelab: ${printable(known.message)}\n`);
    return known.exitCode;
  }
  io.err(`wirelab: internal error: ${err?.stack ?? String(e)}\n`);
  return 70;
}
