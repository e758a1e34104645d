import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgentClient } from "../../src/providers/qemu/agent.js";
import { waitFor } from "../helpers.js";

/**
 * The guest's own agent (guest/agent), run by the host's perl on a pty that
 * socat joins to a unix socket, as QEMU joins the virtio-serial port to
 * one: the real client against the real agent, without a VM.
 */
describe("guest agent", () => {
  const dir = mkdtempSync(join(tmpdir(), "wl-guest-agent-"));
  const work = join(dir, "run");
  const started: ChildProcess[] = [];
  let client: AgentClient;

  beforeAll(async () => {
    const sock = join(dir, "s");
    const pty = join(dir, "pty");
    started.push(
      spawn("socat", [`PTY,link=${pty},rawer`, `UNIX-LISTEN:${sock}`], { stdio: "ignore" }),
    );
    await waitFor("socat's pty", () => existsSync(pty) && existsSync(sock));
    started.push(spawn("perl", ["guest/agent", pty, work], { stdio: "ignore" }));
    client = await AgentClient.waitReady(sock, 10_000);
  });

  afterAll(() => {
    client?.close();
    for (const p of started) if (p.exitCode === null) p.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs a script and returns its exit code, stdout and stderr", async () => {
    const r = await client.runScript("printf 'out\\n'; printf 'é\\001' >&2; exit 3\n");
    expect(r).toEqual({ exitCode: 3, stdout: "out\n", stderr: "é\u0001" });
    // A command's stdin is /dev/null; a signal gives 128 + its number, as a shell's $?.
    expect(await client.runScript("cat; kill -9 $$\n")).toEqual({
      exitCode: 137,
      stdout: "",
      stderr: "",
    });
  });

  it("runs commands concurrently, and their long replies never interleave", async () => {
    const sizes = Array.from({ length: 12 }, (_, i) => 1 + i * 17_011);
    const results = await Promise.all(
      sizes.map((n, i) =>
        client.runScript(`head -c ${n} /dev/zero | tr '\\0' '${"abcdefghijkl"[i]}'\n`),
      ),
    );
    results.forEach((r, i) => {
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toBe(("abcdefghijkl"[i] ?? "").repeat(sizes[i] ?? 0));
    });
    // Every command's files are gone once it answered.
    expect(readdirSync(work).filter((f) => f !== "lock")).toEqual([]);
  });

  it("answers PING while a command runs", async () => {
    // The command waits on a FIFO until the test opens it: it cannot finish before the PING is answered.
    const fifo = join(dir, "hold");
    execFileSync("mkfifo", [fifo]);
    let finished = false;
    const held = client.runScript(`cat ${fifo}; echo done\n`).finally(() => {
      finished = true;
    });
    expect(await client.ping(10_000)).toBe(true);
    expect(finished).toBe(false);
    writeFileSync(fifo, "go\n");
    expect((await held).stdout).toBe("go\ndone\n");
  });
});
