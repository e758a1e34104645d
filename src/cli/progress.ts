/**
 * A {@link Reporter} that shows progress on stderr with an ora spinner on a
 * terminal, and prints nothing but notices elsewhere (CI logs stay clean).
 */
import ora, { type Ora } from "ora";
import type { ProgressEvent, Reporter } from "../log.js";

/** Spinner-backed reporter; call `stop()` when the operation ends. */
export interface CliReporter extends Reporter {
  stop(): void;
}

/**
 * @param enabled - show a spinner (false for `--json` and non-terminals)
 */
export function cliReporter(enabled: boolean): CliReporter {
  let spinner: Ora | undefined;
  return {
    progress(e: ProgressEvent) {
      if (!enabled) return;
      spinner ??= ora({ stream: process.stderr }).start();
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
