/**
 * Integration suite set-up: every test lab keeps its state in one temporary
 * directory, and teardown takes down every lab recorded there, so no
 * namespace is left even when a test fails or is killed between steps.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { down } from "../../src/lab/down.js";
import { StateStore } from "../../src/lab/state.js";

declare module "vitest" {
  export interface ProvidedContext {
    stateDir: string;
  }
}

export default function setup(project: TestProject): () => Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new Error(
      "the integration tests build real labs and need root: run them as root (sudo npm test)",
    );
  }
  const stateDir = mkdtempSync(join(tmpdir(), "wirelab-test-"));
  project.provide("stateDir", stateDir);
  return async () => {
    const store = new StateStore(stateDir);
    const left = await store.list();
    for (const lab of left) await down({ lab: lab.lab }, { store });
    rmSync(stateDir, { recursive: true, force: true });
    if (left.length > 0) {
      process.stderr.write(
        `integration teardown removed labs a test left behind: ${left.map((l) => l.lab).join(", ")}\n`,
      );
    }
  };
}
