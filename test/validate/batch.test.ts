import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { PINGS_PER_NODE, parsePingOutput, pingScript } from "../../src/validate/batch.js";
import type { ValidationTest } from "../../src/validate/tests.js";
import { planWaves } from "../../src/validate/waves.js";

const test = (
  target: string,
  family: "ipv4" | "ipv6" = "ipv4",
  expectation: "success" | "fail" = "success",
  from = "a",
  targetNode?: string,
): ValidationTest => ({
  name: `${from} → ${target}`,
  from,
  target,
  ...(targetNode ? { targetNode } : {}),
  family,
  expect: expectation,
  origin: "neighbour",
});

describe("a node's ping script", () => {
  it("runs in sh and gives one outcome per test, whatever order the pings end in", () => {
    // Loopback only; an address ping refuses ends with exit 2 and its complaint.
    const tests = [
      test("127.0.0.1"),
      test("::1", "ipv6"),
      test("127.0.0.2", "ipv4", "fail"),
      test("256.0.0.1"),
      ...Array.from({ length: PINGS_PER_NODE + 3 }, (_, i) => test(`127.0.0.${i + 3}`)),
    ];
    const stdout = execFileSync("sh", ["-c", pingScript(tests, 2)], { encoding: "utf8" });
    const out = parsePingOutput(stdout);
    expect(out.size).toBe(tests.length);
    expect(out.get(0)?.exitCode).toBe(0);
    expect(out.get(0)?.output).toMatch(/rtt min\/avg\/max\/mdev = [\d.]+\//);
    expect(out.get(1)?.exitCode).toBe(0);
    expect(out.get(2)?.exitCode).toBe(0);
    expect(out.get(3)?.exitCode).toBe(2);
    expect(out.get(3)?.output).toMatch(/256\.0\.0\.1/);
    for (let i = 4; i < tests.length; i++) expect(out.get(i)?.exitCode).toBe(0);
  });

  it("quotes what it is given", () => {
    const script = pingScript([test("x'; rm -rf /; '")], 1);
    expect(script).toContain(`'x'\\''; rm -rf /; '\\'''`);
  });

  it("parses blocks that came in any order, and skips what is not one", () => {
    const out = parsePingOutput(
      "noise\n@@ 1 1\n--- 10.0.0.2 ping statistics ---\n1 packets transmitted, 0 received, 100% packet loss\n@@.\n@@ 0 0\nrtt = 1/2/3/4 ms\n@@.\n@@ 2 0\nunterminated",
    );
    expect([...out.keys()]).toEqual([1, 0]);
    expect(out.get(1)?.output).toContain("100% packet loss");
  });
});

describe("waves", () => {
  const inHost = (n: string) => n !== "vm";

  it("are one when the tests fit the neighbour tables", () => {
    const tests = [
      test("10.0.0.2", "ipv4", "success", "a", "b"),
      test("10.0.0.1", "ipv4", "success", "b", "a"),
    ];
    expect(planWaves(tests, inHost, { ipv4: 64, ipv6: 64 })).toEqual([[0, 1]]);
  });

  it("split tests that need more entries than there is room for, each family counted alone", () => {
    const tests = [
      ...Array.from({ length: 6 }, (_, i) => test(`10.0.0.${i}`, "ipv4", "success", "a", "b")),
      ...Array.from({ length: 2 }, (_, i) => test(`fd00::${i}`, "ipv6", "success", "a", "b")),
      // A VM's own table is its kernel's: only the namespace end counts.
      test("10.0.0.9", "ipv4", "success", "vm", "b"),
    ];
    expect(planWaves(tests, inHost, { ipv4: 4, ipv6: 4 })).toEqual([
      [0, 1],
      [2, 3],
      [4, 5, 6, 7],
      [8],
    ]);
  });
});
