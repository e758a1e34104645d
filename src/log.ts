/**
 * Progress and notices from library code. The library never prints: callers
 * pass listeners, and the CLI renders them.
 */

/** One step of a long operation: `done` of `total` units finished. */
export interface ProgressEvent {
  /** Short name of the step, e.g. `configuring nodes`. */
  readonly step: string;
  readonly done: number;
  readonly total: number;
}

/** Receives progress and notices; every member optional. */
export interface Reporter {
  /** Called as a step advances. */
  progress?(event: ProgressEvent): void;
  /** A notice for the user (e.g. "rebuilding an interrupted lab"). */
  info?(message: string): void;
}
