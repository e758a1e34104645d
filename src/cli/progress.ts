/**
 * A {@link Reporter} that shows progress on stderr with an ora spinner on a
 * terminal, and prints nothing but notices elsewhere (CI logs stay clean).
 */
import type { Ora } from "ora";
import type { ProgressEvent, Reporter } from "../index.js";

/** Spinner-backed reporter; call `stop()` when the operation ends. */
export interface CliReporter extends Reporter {
  stop(): void;
}

/**
 * @param enabled - show a spinner (false for `--json` and non-terminals); ora is loaded only then
 */
export async function cliReporter(enabled: boolean): Promise<CliReporter> {
  const ora = enabled ? (await import("ora")).default : undefined;
  let spinner: Ora | undefined;
  return {
    progress(e: ProgressEvent) {
      if (!ora) return;
      spinner ??= ora({ stream: process.stderr, discardStdin: false }).start();
      spinner.text = e.total > 1 ? `${e.step} ${e.done}/${e.total}` : e.step;
    },
    info(message: string) {
      spinner?.clear();
      process.stderr.write(`wirelab: ${message}\n`);
      spinner?.render();
    },
    stop() {
      spinner?.stop();
      spinner = undefined;
    },
  };
}
