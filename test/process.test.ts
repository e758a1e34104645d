import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isAlive, ProcessError, pidFromFile, startProcess, stopPid } from "../src/process.js";

const dir = mkdtempSync(join(tmpdir(), "wirelab-process-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const node = (script: string) => [process.execPath, "-e", script];

describe("startProcess", () => {
  it("is ready when a line of its output matches, and stops on request", async () => {
    const p = startProcess(node("console.error('listening on x'); setInterval(() => {}, 1000)"), {
      readyWhen: { stderr: /listening on/ },
    });
    await p.ready;
    expect(isAlive(p.pid as number)).toBe(true);
    const exit = await p.stop();
    expect(exit.signal).toBe("SIGTERM");
    expect(isAlive(p.pid as number)).toBe(false);
  });

  it("is ready when its probe succeeds", async () => {
    const flag = join(dir, "flag");
    const p = startProcess(
      node(
        `setTimeout(() => require("fs").writeFileSync(${JSON.stringify(flag)}, ""), 100); setInterval(() => {}, 1000)`,
      ),
      {
        readyWhen: {
          probe: async () => (await import("node:fs")).existsSync(flag),
          intervalMs: 10,
        },
      },
    );
    await p.ready;
    await p.stop();
  });

  it("says how it ended, with its last words, when it ends before it is ready", async () => {
    const p = startProcess(node("console.error('no such device: eth9'); process.exit(3)"), {
      readyWhen: { stderr: /listening/ },
    });
    const e = await p.ready.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProcessError);
    expect((e as ProcessError).exit?.code).toBe(3);
    expect((e as Error).message).toContain("exited with code 3");
    expect((e as Error).message).toContain("no such device: eth9");
  });

  it("stops a process that is not ready in time", async () => {
    const p = startProcess(node("setInterval(() => {}, 1000)"), {
      readyWhen: { stderr: /never/ },
      readyTimeoutMs: 200,
    });
    const e = await p.ready.catch((x: unknown) => x);
    expect((e as ProcessError).exit).toBeUndefined();
    expect((e as Error).message).toContain("was not ready in 200 ms");
    expect((await p.done).signal).toBe("SIGTERM");
  });

  it("appends a detached process's output to a file and stops it when aborted", async () => {
    const log = join(dir, "out.log");
    writeFileSync(log, "before\n");
    const abort = new AbortController();
    const p = startProcess(node("console.log('hello'); setInterval(() => {}, 1000)"), {
      detached: true,
      output: { file: log },
      signal: abort.signal,
    });
    await p.ready;
    for (
      let i = 0;
      i < 100 && !(await import("node:fs")).readFileSync(log, "utf8").includes("hello");
      i++
    )
      await new Promise((r) => setTimeout(r, 20));
    expect((await import("node:fs")).readFileSync(log, "utf8")).toBe("before\nhello\n");
    abort.abort();
    expect((await p.done).signal).toBe("SIGTERM");
  });
});

describe("startProcess with a program that daemonizes itself", () => {
  it("follows the daemon through its pidfile: ready, then stopped", async () => {
    const pidfile = join(dir, "d.pid");
    const log = join(dir, "d.log");
    // The launch puts a sleep in the background, writes its PID and exits 0, as QEMU's -daemonize does.
    const p = startProcess(["sh", "-c", `sleep 30 & echo $! > ${pidfile}; echo started; exit 0`], {
      daemonizes: { pidfile },
      output: { file: log },
    });
    await p.ready;
    const pid = p.pid as number;
    expect(pid).toBe(Number((await import("node:fs")).readFileSync(pidfile, "utf8")));
    expect(isAlive(pid)).toBe(true);
    await p.stop();
    expect(isAlive(pid)).toBe(false);
    expect((await import("node:fs")).readFileSync(log, "utf8")).toBe("started\n");
  });

  it("fails with the launch's exit code when it cannot start", async () => {
    const p = startProcess(["sh", "-c", "echo 'cannot set up guest memory' >&2; exit 1"], {
      daemonizes: { pidfile: join(dir, "none.pid") },
      readyWhen: { probe: async () => true },
    });
    const e = await p.ready.catch((x: unknown) => x);
    expect((e as ProcessError).exit?.code).toBe(1);
    expect((e as Error).message).toContain("cannot set up guest memory");
  });

  it("is not ready while its probe says no, and says so when it ends meanwhile", async () => {
    const pidfile = join(dir, "e.pid");
    const p = startProcess(["sh", "-c", `sleep 0.3 & echo $! > ${pidfile}; exit 0`], {
      daemonizes: { pidfile },
      readyWhen: { probe: async () => false, intervalMs: 20 },
    });
    const e = await p.ready.catch((x: unknown) => x);
    expect((e as Error).message).toContain("exited");
  });
});

describe("process liveness", () => {
  it("counts a zombie (exited, not reaped) as gone", async () => {
    // The background sleep's parent becomes the exec'd sleep, which never reaps it.
    const sh = spawn("sh", ["-c", "sleep 0.1 & echo $!; exec sleep 5"], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    const zombie = Number(
      await new Promise<string>((r) => sh.stdout.once("data", (d: Buffer) => r(d.toString()))),
    );
    for (let i = 0; i < 100 && isAlive(zombie); i++) await new Promise((r) => setTimeout(r, 20));
    expect(isAlive(zombie)).toBe(false);
    // It still has its PID: signalling it succeeds.
    expect(() => process.kill(zombie, 0)).not.toThrow();
    sh.kill();
  });

  it("trusts a pidfile only while the process is the one it was written for", async () => {
    // Ready once it has exec'd: before that its cmdline is the test worker's.
    const p = startProcess(node("console.error('up'); setInterval(() => {}, 1000)"), {
      readyWhen: { stderr: /up/ },
    });
    await p.ready;
    const pidfile = join(dir, "p.pid");
    writeFileSync(pidfile, `${p.pid}\n`);
    expect(await pidFromFile(pidfile, (argv) => argv.includes("-e"))).toBe(p.pid);
    expect(await pidFromFile(pidfile, (argv) => argv.includes("qemu"))).toBeUndefined();
    await stopPid(p.pid as number);
    expect(await pidFromFile(pidfile, (argv) => argv.includes("-e"))).toBeUndefined();
    expect(await pidFromFile(join(dir, "none.pid"), () => true)).toBeUndefined();
  });
});
