/**
 * Keeps vitest's worker able to read its messages.
 *
 * The worker's calls to the main process (`onTaskUpdate`, ...) time out
 * after 60 s, and Node's event loop runs expired timers before it reads
 * the replies that arrived meanwhile. A test that holds the event loop
 * (a CLI run with spawnSync, a minute of parsing) past that makes vitest
 * report "Timeout calling onTaskUpdate" although every test passed.
 *
 * - After each test, two setImmediate turns make sure one poll phase, where
 *   the replies are read, runs before the next test.
 * - The longest stretch the event loop was held is measured; a file whose
 *   tests held it for more than {@link MAX_BLOCKED_MS} fails, naming the
 *   test, so the hazard is a named failure long before vitest's 60 s
 *   (use `cliAsync` and other asynchronous helpers in long tests).
 */
import { afterAll, afterEach, beforeEach } from "vitest";

/** Longest a test may hold the worker's event loop, in ms. */
const MAX_BLOCKED_MS = Number(process.env.WIRELAB_TEST_MAX_BLOCKED_MS ?? 30_000);
const TICK_MS = 250;

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

let current = "(outside any test)";
let worst = { ms: 0, test: current };
let last = performance.now();
const timer = setInterval(() => {
  const now = performance.now();
  const held = now - last - TICK_MS;
  if (held > worst.ms) worst = { ms: held, test: current };
  last = now;
}, TICK_MS);
timer.unref();

beforeEach(({ task }) => {
  current = task.name;
});

afterEach(async () => {
  await turn();
  await turn();
});

afterAll(() => {
  clearInterval(timer);
  if (process.env.WIRELAB_TEST_REPORT_BLOCKED)
    process.stderr.write(`BLOCKED ${Math.round(worst.ms)} ms in "${worst.test}"\n`);
  if (worst.ms > MAX_BLOCKED_MS)
    throw new Error(
      `a test held the worker's event loop for ${Math.round(worst.ms)} ms ("${worst.test}"); vitest's messages time out at 60 s: make it asynchronous (cliAsync)`,
    );
});
