import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { CliIO } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: CliIO = {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    interactive: false,
  };
  const code = await main(args, io);
  return { code, out, err };
}

describe("CLI", () => {
  it("prints every topology problem with file:line:col, source and caret, exit 2", async () => {
    const r = await run(["plan", "test/fixtures/bad.yml"]);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toBe(readFileSync("test/fixtures/bad.out", "utf8"));
  });

  it("prints the plan as text and as JSON, the same every time", async () => {
    const text = await run(["plan", "examples/six-routers.yml"]);
    expect(text.code).toBe(0);
    expect(text.out).toContain("rt1 (linux, namespace wl-six-routers-rt1, forwarding)");
    expect(text.out).toContain("route 10.20.60.0/24 via 10.20.20.2 dev eth2");
    const a = await run(["plan", "--json", "examples/six-routers.yml"]);
    const b = await run(["plan", "--json", "examples/six-routers.yml"]);
    expect(a.out).toBe(b.out);
    expect(JSON.parse(a.out).lab).toBe("six-routers");
  });

  it("says which file is missing, exit 2", async () => {
    const r = await run(["plan", "nope.yml"]);
    expect(r).toMatchObject({
      code: 2,
      err: "nope.yml: no such file\n1 problem; nothing was changed\n",
    });
  });

  it("reports usage errors with exit 2", async () => {
    expect((await run(["bogus"])).code).toBe(2);
    expect((await run(["up"])).code).toBe(2);
  });

  it("prints its version", async () => {
    const r = await run(["--version"]);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe(JSON.parse(readFileSync("package.json", "utf8")).version);
  });
});
