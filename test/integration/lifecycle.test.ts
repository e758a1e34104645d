import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CommandError, defaultRunner, type Runner } from "../../src/exec.js";
import { up } from "../../src/lab/up.js";
import { cli, interruptUp, labFile, namespaces, stateDir, store } from "./lab-helpers.js";

describe("lifecycle edge cases", () => {
  const created: string[] = [];
  const track = (f: { file: string; lab: string }) => {
    created.push(f.file);
    return f;
  };
  afterAll(async () => {
    for (const f of created) await cli(["down", f]);
  });

  it("down cleans up after an up killed halfway, and up rebuilds", async () => {
    const { file, lab } = track(labFile("examples/leaf-spine.yml", "killed"));
    // Kill it as soon as it has started creating namespaces.
    await interruptUp(file, lab, "SIGKILL");
    expect(namespaces(`wl-${lab}`).length).toBeGreaterThan(0);
    const state = JSON.parse(readFileSync(join(stateDir(), "labs", lab, "state.json"), "utf8")) as {
      status: string;
    };
    expect(state.status).toBe("creating");

    const again = await cli(["up", file]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("did not finish; rebuilding");
    expect((await cli(["validate", "--no-neighbours", file])).code).toBe(0);

    const d = await cli(["down", file]);
    expect(d.code).toBe(0);
    expect(namespaces(`wl-${lab}`)).toEqual([]);
  });

  it("down removes what a killed up left, from the record alone", async () => {
    const { file, lab } = track(labFile("examples/six-routers.yml", "killed2"));
    await interruptUp(file, lab, "SIGKILL");
    expect((await cli(["down", "--lab", lab])).code).toBe(0);
    expect(namespaces(`wl-${lab}`)).toEqual([]);
    expect(existsSync(join(stateDir(), "labs", lab))).toBe(false);
  });

  it("Ctrl-C during up removes what was built", async () => {
    const { file, lab } = track(labFile("examples/leaf-spine.yml", "sigint"));
    const { code, stderr } = await interruptUp(file, lab, "SIGINT", 10);
    expect(code).toBe(1);
    expect(stderr).toContain("was interrupted; removed what it had built");
    expect(namespaces(`wl-${lab}`)).toEqual([]);
    expect(existsSync(join(stateDir(), "labs", lab, "state.json"))).toBe(false);
  });

  it("with --no-apply, refuses an up of a changed file, saying what differs; without, adds a LAN's new member in place", async () => {
    const { file, lab } = track(labFile("examples/lan.yml", "changed"));
    expect((await cli(["up", file])).code).toBe(0);
    writeFileSync(
      file,
      readFileSync(file, "utf8")
        .replace("nodes: [ a, b, c ]", "nodes: [ a, b, c, d ]")
        .replace("a-b-c", "a-b-c-d"),
    );
    const r = await cli(["up", "--no-apply", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("+ node d");
    expect(r.stderr).toContain("~ link lan1");
    expect(r.stderr).toContain(`wirelab down ${file}`);
    expect(namespaces(`wl-${lab}`)).toHaveLength(4);
    const a = statSync(`/run/netns/wl-${lab}-a`).ino;
    const applied = await cli(["up", file]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain("+ node d");
    expect(namespaces(`wl-${lab}`)).toHaveLength(5);
    expect(statSync(`/run/netns/wl-${lab}-a`).ino).toBe(a);
    const v = await cli(["validate", "--lab", lab]);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect((await cli(["down", file])).code).toBe(0);
  });

  it("never touches a namespace it did not create", async () => {
    const { file, lab } = track(labFile("examples/lan.yml", "taken"));
    const foreign = `wl-${lab}-b`;
    execFileSync("ip", ["netns", "add", foreign]);
    try {
      const r = await cli(["up", file]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${foreign} (not created by this lab)`);
      expect(namespaces(`wl-${lab}`)).toEqual([foreign]);
      expect(existsSync(join(stateDir(), "labs", lab))).toBe(false);
      expect((await cli(["down", file])).code).toBe(0);
      expect(namespaces(`wl-${lab}`)).toEqual([foreign]);
    } finally {
      execFileSync("ip", ["netns", "delete", foreign]);
    }
  });

  it("refuses a second lab of the same name from another file", async () => {
    const a = track(labFile("examples/lan.yml", "samename"));
    expect((await cli(["up", a.file])).code).toBe(0);
    const otherFile = `${a.file.replace(/\.yml$/, "")}-copy.yml`;
    writeFileSync(otherFile, readFileSync(a.file, "utf8"));
    const r = await cli(["up", otherFile]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("is already up from");
    expect((await cli(["down", a.file])).code).toBe(0);
  });

  it("rejects a bad topology with exit code 2 and creates nothing", async () => {
    const { file, lab } = labFile("nodes: [a, b]\nlinks: [ a-c ]\n", "bad");
    const r = await cli(["up", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/wlt\d+-bad\.yml:3:10: link "a-c": unknown node "c"/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(namespaces(`wl-${lab}`)).toEqual([]);
  });

  it("stops at once without root, before touching anything", () => {
    const { file, lab } = labFile("examples/lan.yml", "noroot");
    // nobody must reach the file: through the state directory (a temporary one) to it.
    execFileSync("chmod", ["o+x", stateDir()]);
    execFileSync("chmod", ["o+rx", file, dirname(file)]);
    const r = (() => {
      try {
        execFileSync(
          "setpriv",
          [
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            process.execPath,
            "dist/cli/bin.js",
            "up",
            file,
          ],
          {
            encoding: "utf8",
            env: { ...process.env, WIRELAB_STATE_DIR: join(stateDir(), "nobody") },
            stdio: "pipe",
          },
        );
        return { code: 0, stderr: "" };
      } catch (e) {
        const err = e as { status: number; stderr: string };
        return { code: err.status, stderr: err.stderr };
      }
    })();
    expect(r.code).toBe(77);
    expect(r.stderr).toContain("needs root");
    expect(namespaces(`wl-${lab}`)).toEqual([]);
  });

  it("removes what it built when the kernel refuses a step", async () => {
    const { file, lab } = labFile("examples/six-routers.yml", "refused");
    let calls = 0;
    // Let the host batch and a few node batches run, then fail like a refused `ip` would.
    const run: Runner = async (f, args, options) => {
      if (f === "ip" && args.includes("-batch") && ++calls === 4) {
        throw new CommandError({
          argv: [f, ...args],
          exitCode: 2,
          signal: null,
          stdout: "",
          stderr: "RTNETLINK answers: File exists",
          durationMs: 0,
        });
      }
      return defaultRunner(f, args, options);
    };
    await expect(up(file, { run, store: store(), concurrency: 1 })).rejects.toThrow(
      /RTNETLINK answers: File exists/,
    );
    expect(calls).toBeGreaterThanOrEqual(4);
    expect(namespaces(`wl-${lab}`)).toEqual([]);
    expect(await store().read(lab)).toBeUndefined();
  });
});
