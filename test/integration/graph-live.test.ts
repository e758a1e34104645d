/**
 * `wirelab graph --serve` in a real browser: Debian's Chromium driven by
 * playwright-core (pointed at /usr/bin/chromium; nothing is downloaded).
 * The page shows every node, LAN and link of a running lab; a click on a
 * node shows its interfaces and addresses, a click on a link its commands;
 * `wirelab link down` turns the link to down within 2 s, an impairment to
 * impaired, `wirelab stop` a node to stopped. A screenshot is kept in
 * test-artifacts/.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, labFile, stateDir } from "./lab-helpers.js";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = join(process.cwd(), "test-artifacts");

let lab = "";
let file = "";
let server: ChildProcess | undefined;
let url = "";
let browser: Browser | undefined;
let page: Page;

/** The page's picture and state, as its script keeps them. */
interface PageModel {
  cy?: {
    nodes(): { id(): string }[];
    edges(): { id(): string }[];
  };
  state?: { status: string };
}

beforeAll(async () => {
  const f = labFile("examples/six-routers.yml", "live");
  lab = f.lab;
  file = f.file;
  const up = await cli(["up", f.file]);
  expect(up.code, up.stderr).toBe(0);
  server = spawn(
    process.execPath,
    ["dist/cli/bin.js", "graph", "--serve", "--lab", lab, "--port", "0"],
    { env: { ...process.env, WIRELAB_STATE_DIR: stateDir() }, stdio: ["ignore", "ignore", "pipe"] },
  );
  url = await new Promise<string>((resolve, reject) => {
    let err = "";
    server?.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
      const m = /live picture at (http:\/\/\S+)/.exec(err);
      if (m?.[1]) resolve(m[1]);
    });
    server?.on("exit", (code) => reject(new Error(`graph --serve exited ${code}: ${err}`)));
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root: Chromium's own sandbox needs an unprivileged user.
    args: ["--no-sandbox"],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(url);
  await page.waitForFunction(() => {
    const w = (globalThis as unknown as { wirelab: PageModel }).wirelab;
    return w.cy !== undefined && w.state?.status === "up";
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server?.on("exit", resolve));
    server.kill("SIGTERM");
    await exited;
  }
  if (lab) await cli(["down", "--lab", lab]);
});

/** Ids of what the page drew. */
const drawn = () =>
  page.evaluate(() => {
    const cy = (globalThis as unknown as { wirelab: PageModel }).wirelab.cy;
    return {
      nodes: cy?.nodes().map((n) => n.id()) ?? [],
      edges: cy?.edges().map((e) => e.id()) ?? [],
    };
  });

/** Clicks an element where the page draws it (a node's centre, an edge's midpoint). */
async function click(id: string): Promise<void> {
  const at = await page.evaluate((target) => {
    const cy = (
      globalThis as unknown as {
        wirelab: {
          cy: {
            getElementById(id: string): {
              isNode(): boolean;
              renderedPosition(): { x: number; y: number };
              renderedMidpoint(): { x: number; y: number };
            };
          };
        };
      }
    ).wirelab.cy;
    const el = cy.getElementById(target);
    return el.isNode() ? el.renderedPosition() : el.renderedMidpoint();
  }, id);
  const box = await page.locator("#graph").boundingBox();
  if (!box) throw new Error("the graph is not on the page");
  await page.mouse.click(box.x + at.x, box.y + at.y);
}

/** Resolves when the page shows `id` in `state`; rejects after `timeoutMs`. */
const stateIs = (id: string, state: string, timeoutMs: number) =>
  page.waitForFunction(
    ([i, s]) => {
      const cy = (
        globalThis as unknown as {
          wirelab: { cy: { getElementById(x: string): { data(k: string): string } } };
        }
      ).wirelab.cy;
      return cy.getElementById(i as string).data("state") === s;
    },
    [id, state],
    { timeout: timeoutMs, polling: 50 },
  );

describe("graph --serve in Chromium", () => {
  it("shows every node, LAN and link of the lab", async () => {
    const g = JSON.parse((await cli(["graph", "--lab", lab, "--format", "json"])).stdout) as {
      nodes: { id: string }[];
      lans: { id: string }[];
      edges: unknown[];
    };
    const { nodes, edges } = await drawn();
    expect(nodes.sort()).toEqual([...g.nodes.map((n) => n.id), ...g.lans.map((l) => l.id)].sort());
    expect(edges).toHaveLength(g.edges.length);
    expect(await page.title()).toBe(`wirelab: ${lab}`);
  });

  it("a click on a node shows its interfaces and addresses", async () => {
    await click("rt1");
    const panel = page.locator("#panel");
    await expect.poll(() => panel.innerText()).toContain("node rt1");
    const text = await panel.innerText();
    expect(text).toContain("10.20.10.1/24");
    expect(text).toContain("eth2");
  });

  it("a click on a link shows its capture and link commands", async () => {
    await click("link:br2");
    const panel = page.locator("#panel");
    await expect.poll(() => panel.innerText()).toContain("link br2");
    const text = await panel.innerText();
    expect(text).toContain(`wirelab capture --lab ${lab} --link br2 -w - | wireshark -k -i -`);
    expect(text).toContain(`wirelab link down --lab ${lab} rt1 eth2`);
  });

  it("a link cut with `wirelab link down` turns to down within 2 s, and back", async () => {
    const down = await cli(["link", "down", "--lab", lab, "rt1", "eth2"]);
    expect(down.code, down.stderr).toBe(0);
    await stateIs("link:br2", "down", 2000);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "graph-live.png") });
    const up = await cli(["link", "up", "--lab", lab, "rt1", "eth2"]);
    expect(up.code, up.stderr).toBe(0);
    await stateIs("link:br2", "up", 4000);
  });

  it("an impaired link turns to impaired, a stopped node to stopped", async () => {
    const impair = await cli(["link", "impair", "--lab", lab, "rt3", "eth2", "--delay", "5ms"]);
    expect(impair.code, impair.stderr).toBe(0);
    const impaired = (
      JSON.parse((await cli(["link", "show", "--lab", lab, "--json"])).stdout) as {
        name: string;
        endpoints: { node: string; ifname: string }[];
      }[]
    ).find((l) => l.endpoints.some((e) => e.node === "rt3" && e.ifname === "eth2"));
    expect(impaired).toBeDefined();
    await stateIs(`link:${impaired?.name}`, "impaired", 4000);
    const stop = await cli(["stop", "--lab", lab, "h2"]);
    expect(stop.code, stop.stderr).toBe(0);
    await stateIs("h2", "stopped", 4000);
    await page.screenshot({ path: join(ARTIFACTS, "graph-live-impaired-stopped.png") });
  });

  it("an `up` that changes the lab redraws the picture", async () => {
    const text = readFileSync(file, "utf8")
      .replace(/^nodes:\n/m, "nodes:\n  hnew: {}\n")
      .replace(/^( {4}htest: .*)$/m, "$1\n    hnew: { ipv4: 10.20.10.5/24 }");
    writeFileSync(file, text);
    const up = await cli(["up", file]);
    expect(up.code, up.stderr).toBe(0);
    await page.waitForFunction(
      () => {
        const cy = (
          globalThis as unknown as {
            wirelab: { cy: { getElementById(x: string): { length: number } } };
          }
        ).wirelab.cy;
        return (
          cy.getElementById("hnew").length === 1 &&
          cy.getElementById("port:br1:hnew:eth1").length === 1
        );
      },
      undefined,
      { timeout: 5000, polling: 100 },
    );
  });
});
