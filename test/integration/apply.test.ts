/**
 * `up` of an edited topology changes the running lab in place: nodes and
 * links added and removed, an address and routes changed; what did not
 * change keeps its namespace (inode) and a ping across it loses nothing;
 * an apply killed halfway is finished by the next `up` and `down` leaves
 * nothing.
 */
import { spawn } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import {
  cli,
  labFile,
  leftovers,
  NOTHING_LEFT,
  namespaces,
  startCli,
  stateDir,
  waitFor,
} from "./lab-helpers.js";

const { file, lab } = labFile("examples/six-routers.yml", "apply");
const ns = (node: string) => `wl-${lab}-${node}`;
const inode = (node: string) => statSync(`/run/netns/${ns(node)}`).ino;
const original = parse(readFileSync(file, "utf8")) as {
  nodes: Record<string, { routes?: { prefix: string; via: string }[] }>;
  links: Record<string, unknown>[];
  validate: Record<string, unknown>;
};

/** Writes the lab's file as `edit` makes it from the example. */
function edit(change: (t: typeof original) => void): void {
  const t = structuredClone(original);
  change(t);
  writeFileSync(file, stringify(t));
}

/** Pings from one namespace in the background, every 10 ms: how many went unanswered. */
function pingInBackground(
  from: string,
  to: string,
): { stop: () => Promise<{ sent: number; lost: number }> } {
  const child = spawn("ip", ["netns", "exec", ns(from), "ping", "-i", "0.01", "-W", "1", to], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  return {
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => {
          const m = /(\d+) packets transmitted, (\d+) received/.exec(out);
          resolve({ sent: Number(m?.[1] ?? 0), lost: Number(m?.[1] ?? 0) - Number(m?.[2] ?? 0) });
        });
        child.kill("SIGINT");
      }),
  };
}

/** A host h3 behind rt3, reached from h1 through rt1 → rt3; htest moved to .5. */
function addH3(t: typeof original): void {
  t.nodes.h3 = { routes: [{ prefix: "default", via: "10.20.70.1" }] };
  t.nodes.rt1?.routes?.push({ prefix: "10.20.70.0/24", via: "10.20.30.2" });
  t.links.push({ name: "br7", rt3: { ipv4: "10.20.70.1/24" }, h3: { ipv4: "10.20.70.2/24" } });
  const br1 = t.links.find((l) => l.name === "br1") as Record<string, unknown>;
  br1.htest = { ipv4: "10.20.10.5/24" };
  t.validate["h1-to-h3"] = { from: "h1", ping: "10.20.70.2" };
  t.validate["htest-moved"] = { from: "rt1", ping: "10.20.10.5" };
}

describe("up applies an edited topology to a running lab", () => {
  const untouched = ["h1", "rt1", "rt2", "rt4", "h2"];
  let before: Map<string, number>;
  beforeAll(async () => {
    const r = await cli(["up", file]);
    expect(r.code, r.stderr).toBe(0);
    before = new Map([...untouched, "rt3", "htest"].map((n) => [n, inode(n)]));
  });
  afterAll(async () => {
    await cli(["down", "--lab", lab]);
    expect(leftovers(lab)).toEqual(NOTHING_LEFT);
  });

  it("--dry-run lists the changes and changes nothing", async () => {
    edit(addH3);
    const r = await cli(["up", "--dry-run", file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("+ node h3");
    expect(r.stdout).toContain("+ link br7");
    expect(r.stdout).toMatch(/~ node rt1 \(.*routes/);
    expect(r.stdout).toMatch(/~ node htest \(interfaces\)/);
    expect(namespaces(ns("h3"))).toEqual([]);
  });

  it("--no-apply refuses, as before", async () => {
    const r = await cli(["up", "--no-apply", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("differs in");
  });

  it("adds a node and a link, moves an address, adds a route; the rest is untouched", async () => {
    const ping = pingInBackground("h1", "10.20.60.2");
    await new Promise((r) => setTimeout(r, 300));
    const r = await cli(["up", file]);
    const { sent, lost } = await ping.stop();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("+ node h3");
    for (const n of [...untouched, "rt3", "htest"]) expect(inode(n), n).toBe(before.get(n));
    expect(sent).toBeGreaterThan(20);
    expect(lost).toBe(0);
    const v = await cli(["validate", "--lab", lab]);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toContain("h1-to-h3");
    const old = await cli([
      "exec",
      "--lab",
      lab,
      "rt1",
      "--",
      "ping",
      "-c",
      "1",
      "-W",
      "1",
      "10.20.10.4",
    ]);
    expect(old.code).not.toBe(0);
    const status = await cli(["status", "--lab", lab, "--json"]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('"h3"');
  });

  it("removes a link and a node, changes routes around them", async () => {
    // Back to the example without br5 (rt3–rt4): rt4 reaches br3 through rt2.
    edit((t) => {
      t.links = t.links.filter((l) => l.name !== "br5");
      (t.nodes.rt3 as { routes: unknown[] }).routes = [
        { prefix: "10.20.10.0/24", via: "10.20.30.1" },
        { prefix: "10.20.60.0/24", via: "10.20.30.1" },
      ];
      (t.nodes.rt4 as { routes: unknown[] }).routes = [
        { prefix: "10.20.10.0/24", via: "10.20.40.2" },
        { prefix: "10.20.20.0/24", via: "10.20.40.2" },
        { prefix: "10.20.30.0/24", via: "10.20.40.2" },
      ];
      (t.nodes.rt2 as { routes: unknown[] }).routes.push({
        prefix: "10.20.30.0/24",
        via: "10.20.20.1",
      });
      delete t.validate["h1-to-rt3-far-side"];
      delete t.validate["rt2-has-no-route-to-br5"];
      t.validate["h2-to-rt3"] = { from: "h2", ping: "10.20.30.2" };
    });
    const ping = pingInBackground("h1", "10.20.60.2");
    await new Promise((r) => setTimeout(r, 300));
    const r = await cli(["up", file]);
    const { lost } = await ping.stop();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("- node h3");
    expect(r.stdout).toContain("- link br5");
    expect(namespaces(ns("h3"))).toEqual([]);
    for (const n of [...untouched, "rt3", "htest"]) expect(inode(n), n).toBe(before.get(n));
    expect(lost).toBe(0);
    const v = await cli(["validate", "--lab", lab]);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    const eth2 = await cli(["exec", "--lab", lab, "rt3", "--", "ip", "link", "show", "eth2"]);
    expect(eth2.code).not.toBe(0);
  });

  it("an apply killed halfway is finished by the next up", async () => {
    // h3's exec line holds the apply in its last step, so the kill lands halfway.
    edit((t) => {
      addH3(t);
      (t.nodes.h3 as Record<string, unknown>).exec = ["sleep 2"];
    });
    const run = startCli(["up", file]);
    // Killed once the record says it is applying (the new namespace may or may not be there yet).
    const record = `${stateDir()}/labs/${lab}/state.json`;
    await waitFor(
      "the record to say applying",
      () => readFileSync(record, "utf8").includes('"status": "applying"'),
      { timeoutMs: 30_000, intervalMs: 5 },
    );
    await waitFor("h3's namespace", () => namespaces(ns("h3")).length === 1, { timeoutMs: 30_000 });
    run.child.kill("SIGKILL");
    await run.exit;
    expect(readFileSync(record, "utf8")).toContain('"status": "applying"');
    const again = await cli(["up", file]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr + again.stdout).toContain("finishing the change");
    const v = await cli(["validate", "--lab", lab]);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(readFileSync(record, "utf8")).toContain('"status": "up"');
    for (const n of untouched) expect(inode(n), n).toBe(before.get(n));
  });
});
