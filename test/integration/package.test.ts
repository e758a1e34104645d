/**
 * The package as npm users get it: `npm pack`, installed into a temporary
 * prefix, runs from there — its version, a plan of an example, the guest
 * files an image build needs, every module importable with only the
 * package's own dependencies, and a lab on the wire daemon brought up and
 * down by the installed copy.
 */

import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labFile, namespaces, runCommand, stateDir, TEST_PREFIX } from "./lab-helpers.js";

const ROOT = process.cwd();
let work = "";
let installed = "";
let bin = "";

/** Runs the installed wirelab; its exit code and output. */
const run = (args: readonly string[]) => runCommand(bin, args, { cwd: work });

/** An asynchronous command (npm takes seconds: the worker's loop must stay free). */
function sh(cmd: string, args: readonly string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("close", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(" ")}: ${code}\n${out}`)),
    );
  });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "wirelab-pack-"));
  const out = await sh("npm", ["pack", "--json", "--pack-destination", work, ROOT], work);
  const [packed] = JSON.parse(out.slice(out.indexOf("["))) as { filename: string }[];
  const filename = packed?.filename ?? "";
  const prefix = join(work, "prefix");
  // The dependencies come from npm's cache (npm ci filled it) where they can.
  await sh(
    "npm",
    [
      "install",
      "--global",
      "--prefix",
      prefix,
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      join(work, filename),
    ],
    work,
  );
  installed = join(prefix, "lib", "node_modules", "wirelab");
  bin = join(prefix, "bin", "wirelab");
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the packed package, installed", () => {
  it("prints its version", async () => {
    const r = await run(["--version"]);
    expect(r.code, r.stderr).toBe(0);
    const pkg = JSON.parse(
      execFileSync("npm", ["pkg", "get", "version"], { cwd: ROOT, encoding: "utf8" }),
    );
    expect(r.stdout.trim()).toBe(pkg);
  });

  it("plans the examples it ships", async () => {
    const r = await run(["plan", join(installed, "examples", "six-routers.yml")]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("rt1");
    const g = await run(["graph", join(installed, "examples", "leaf-spine.yml")]);
    expect(g.code, g.stderr).toBe(0);
    expect(g.stdout).toMatch(/^graph /);
  });

  it("finds every guest file an image build needs", async () => {
    const r = await run(["image", "build", "--dry-run", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout) as { guestFiles: string[]; packages: Record<string, string> };
    expect(plan.guestFiles.length).toBeGreaterThanOrEqual(4);
    for (const f of plan.guestFiles) expect(relative(installed, f)).not.toMatch(/^\.\./);
    expect(Object.keys(plan.packages)).toContain("busybox-static");
  });

  it("imports every module with the package's own dependencies only", async () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith(".js") && !/[/\\]bin\.js$|[/\\]wire[/\\]main\.js$/.test(p))
          files.push(p);
      }
    };
    walk(join(installed, "dist"));
    expect(files.length).toBeGreaterThan(50);
    // One Node process imports them all, from the installed tree (its node_modules only).
    const script = `for (const f of ${JSON.stringify(files)}) await import(f);`;
    await sh(process.execPath, ["--input-type=module", "-e", script], installed);
  });

  it("brings a lab on the wire daemon up and down", async () => {
    const { file, lab } = labFile(
      "nodes: [a, b, c]\nlinks:\n  - { a: { ipv4: 10.99.0.1/24 }, b: { ipv4: 10.99.0.2/24 }, c: {}, transport: hub }\n",
      "pkg",
    );
    try {
      const up = await run(["up", file]);
      expect(up.code, up.stderr).toBe(0);
      // The daemon is the installed copy's own dist/wire/main.js.
      const [status] = JSON.parse((await run(["status", "--lab", lab, "--json"])).stdout) as {
        processes: { name: string; pid: number }[];
      }[];
      const daemon = status?.processes.find((p) => p.name === "wire daemon");
      expect(daemon).toBeDefined();
      expect(readFileSync(`/proc/${daemon?.pid}/cmdline`, "utf8")).toContain(installed);
      // The live page serves its files and Cytoscape.js from the installed package.
      const serve = spawn(bin, ["graph", "--serve", "--lab", lab, "--port", "0"], {
        env: { ...process.env, WIRELAB_STATE_DIR: stateDir() },
        stdio: ["ignore", "ignore", "pipe"],
      });
      try {
        const url = await new Promise<string>((resolve, reject) => {
          let err = "";
          serve.stderr.on("data", (d: Buffer) => {
            err += d.toString();
            const m = /at (http:\/\/\S+)/.exec(err);
            if (m?.[1]) resolve(m[1]);
          });
          serve.on("exit", (code) => reject(new Error(`graph --serve: ${code} ${err}`)));
        });
        for (const path of ["", "graph.js", "graph.css", "lib/cytoscape.esm.min.mjs", "api/graph"])
          expect((await fetch(`${url}${path}`)).status, path).toBe(200);
      } finally {
        if (serve.exitCode === null && serve.signalCode === null) {
          const exited = new Promise((resolve) => serve.on("exit", resolve));
          serve.kill("SIGTERM");
          await exited;
        }
      }
      const ping = await run([
        "exec",
        "--lab",
        lab,
        "a",
        "--",
        "ping",
        "-c",
        "1",
        "-W",
        "2",
        "10.99.0.2",
      ]);
      expect(ping.code, ping.stdout + ping.stderr).toBe(0);
    } finally {
      const down = await run(["down", "--lab", lab]);
      expect(down.code, down.stderr).toBe(0);
    }
    expect(namespaces(`wl-${TEST_PREFIX}-pkg`)).toEqual([]);
  });
});
