/**
 * Work over many items, a few at a time, that always ends cleanly: when a
 * task fails or the signal aborts, no new task starts, the running ones are
 * waited for, and only then is the first error (or the abort) thrown. So
 * whoever undoes the work afterwards never races a task still running.
 */
import { pMapSettled } from "p-map";

/**
 * @param concurrency - tasks at once @default Infinity
 * @throws the signal's reason when it aborted, else the first task's error (in item order)
 */
export async function eachSettled<T>(
  items: readonly T[],
  task: (item: T) => Promise<void>,
  options: { readonly concurrency?: number; readonly signal?: AbortSignal } = {},
): Promise<void> {
  const { signal } = options;
  let failed = false;
  const results = await pMapSettled(
    items,
    async (item) => {
      // Once something failed or the user interrupted, nothing new starts.
      if (failed) throw new Error("not started: an earlier task failed");
      signal?.throwIfAborted();
      try {
        await task(item);
      } catch (e) {
        failed = true;
        throw e;
      }
    },
    { concurrency: options.concurrency ?? Number.POSITIVE_INFINITY },
  );
  signal?.throwIfAborted();
  const first = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (first) throw first.reason;
}
