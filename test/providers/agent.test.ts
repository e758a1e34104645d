import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AgentClient, commandScript } from "../../src/providers/qemu/agent.js";
import { shellQuote } from "../../src/shell.js";

/**
 * A stand-in for guest/agent: answers PING, runs nothing but echoes argv
 * back (`true` after `delayMs`). Like a booting guest, it reads the first
 * connection's requests but answers them only later, on the connections
 * that follow (a guest answers all it read, to whoever is connected then).
 */
function fakeAgent(path: string, delayMs = 0): Server {
  const late: string[] = [];
  let connections = 0;
  const server = createServer((sock) => {
    const first = ++connections === 1;
    let buf = "";
    sock.setEncoding("utf8");
    sock.on("data", (d: string) => {
      buf += d;
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        const [verb, id, arg] = buf.slice(0, i).split(" ");
        buf = buf.slice(i + 1);
        if (first) {
          if (verb === "PING") late.push(`PONG ${id}\n`);
          continue;
        }
        sock.write(late.join(""));
        if (verb === "PING") sock.write(`PONG ${id}\n`);
        if (verb === "RUN") {
          const script = Buffer.from(arg ?? "", "base64").toString();
          const out = Buffer.from(`ran: ${script}`).toString("base64");
          const code = script.includes("'false'") ? 1 : 0;
          setTimeout(
            () => sock.write(`RES ${id} ${code} ${out} \n`),
            script.includes("'true'") ? delayMs : 0,
          );
        }
      }
    });
  });
  server.listen(path);
  return server;
}

describe("agent client", () => {
  const dir = mkdtempSync(join(tmpdir(), "wl-agent-"));
  let server: Server | undefined;
  afterEach(() => {
    server?.close();
    rmSync(join(dir, "s"), { force: true });
  });

  it("quotes arguments for a POSIX shell", () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(commandScript(["ping", "-c", "1", "a b"])).toBe(
      "exec /bin/wl-exec 'ping' '-c' '1' 'a b'\n",
    );
  });

  it("waits for the agent, then runs commands and matches replies by id", async () => {
    const path = join(dir, "s");
    setTimeout(() => {
      server = fakeAgent(path, 20);
    }, 150);
    // The first try goes unanswered (1 s), the second is answered.
    (await AgentClient.waitReady(path, 5000)).close();
    const client = await AgentClient.connect(path);
    // The second finishes first (the fake delays true); replies still match, and the late
    // answers to the first connection's PINGs match none of this one's requests.
    const [a, b] = await Promise.all([client.run(["true"]), client.run(["false"])]);
    expect(a).toEqual({ exitCode: 0, stdout: "ran: exec /bin/wl-exec 'true'\n", stderr: "" });
    expect(b.exitCode).toBe(1);
    client.close();
  });

  it("gives up when nothing answers", async () => {
    await expect(AgentClient.waitReady(join(dir, "none"), 300)).rejects.toThrow(/did not answer/);
  });
});
