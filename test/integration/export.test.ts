/**
 * Exported scripts build the same lab without wirelab: setup.sh, then
 * `wirelab validate FILE` passes against it, then cleanup.sh leaves nothing.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli, labFile, leftovers, NOTHING_LEFT, waitFor } from "./lab-helpers.js";

describe("script export, run for real", () => {
  const dir = mkdtempSync(join(tmpdir(), "wl-script-"));
  const labs: { file: string; out: string }[] = [];
  afterAll(() => {
    for (const { out } of labs) spawnSync("bash", [join(out, "cleanup.sh")]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("VMs: setup.sh starts QEMU as wirelab would; a namespace reaches the far VM over tap and a UDP tunnel", async () => {
    const { file, lab } = labFile(
      "routing: static\nnodes:\n  v1: { kind: vm }\n  v2: { kind: vm }\n  h1: {}\nlinks: [ v1-v2, v1-h1 ]\n",
      "scrvm",
    );
    const out = join(dir, "vms");
    labs.push({ file, out });
    expect((await cli(["create", file, "--output", "script", "-o", out])).code).toBe(0);
    execFileSync("shellcheck", [join(out, "setup.sh"), join(out, "cleanup.sh")]);
    execFileSync("bash", [join(out, "setup.sh")], { stdio: "ignore" });
    // h1 → v2: over v1's tap + tc mirred, then the QEMU UDP tunnel v1–v2 (routing: static).
    await waitFor(
      "h1 to reach v2 once the VMs have booted",
      () =>
        spawnSync("ip", ["netns", "exec", `wl-${lab}-h1`, "ping", "-c", "1", "-W", "1", "10.1.0.2"])
          .status === 0,
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    execFileSync("bash", [join(out, "cleanup.sh")], { stdio: "ignore" });
    expect(leftovers(lab)).toEqual(NOTHING_LEFT);
  }, 90_000);

  for (const [example, tests] of [
    ["six-routers", 21],
    ["lan", 0],
  ] as const) {
    it(`${example}: setup.sh builds it, wirelab validates it, cleanup.sh removes it`, async () => {
      const { file, lab } = labFile(`examples/${example}.yml`, `scr${example.slice(0, 3)}`);
      const out = join(dir, example);
      labs.push({ file, out });
      expect((await cli(["create", file, "--output", "script", "-o", out])).code).toBe(0);
      execFileSync("bash", [join(out, "setup.sh")], { stdio: "ignore" });
      const v = await cli(["validate", file]);
      expect(v.stderr).toBe("");
      expect(v.code).toBe(0);
      expect(v.stdout).toMatch(new RegExp(`lab ${lab}: \\d+ passed, 0 failed`));
      if (tests) expect(v.stdout).toContain(`lab ${lab}: ${tests} passed`);
      execFileSync("bash", [join(out, "cleanup.sh")], { stdio: "ignore" });
      expect(leftovers(lab)).toEqual(NOTHING_LEFT);
      // Again: nothing to remove, no error.
      execFileSync("bash", [join(out, "cleanup.sh")], { stdio: "ignore" });
    });
  }
});
