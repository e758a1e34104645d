/** Where CLI output goes; injected so tests can capture it. */
export interface CliIO {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Show spinners (stderr is a terminal). */
  readonly interactive: boolean;
}

/** The process's own stdout and stderr. */
export const processIO: CliIO = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  // A terminal that reports no width (e.g. under `script`) would make a spinner misbehave.
  interactive: Boolean(process.stderr.isTTY) && (process.stderr.columns ?? 0) > 0,
};
