/**
 * `wirelab graph --serve`: a running lab's picture as a live web page.
 *
 * An HTTP server (127.0.0.1 by default) serves the page (`web/` of the
 * package), Cytoscape.js from node_modules (nothing from a CDN), the
 * picture with Graphviz's layout (`/api/graph`), and the lab's live state
 * as server-sent events (`/api/events`, WHATWG HTML "Server-sent events":
 * one `state` event per reading) or once (`/api/state`). The state is read
 * only while a page listens, one reading at a time, every `intervalMs`.
 */
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { LabError, UsageError } from "../errors.js";
import { type LabDeps, resolveDeps } from "../lab/deps.js";
import { requireLab } from "../lab/resolve.js";
import { edgeCommands } from "./commands.js";
import { layoutOf } from "./layout.js";
import { edgeKey, type LiveState, livePicture, readLiveState } from "./live.js";

/** The page's own files. */
const WEB_DIR = fileURLToPath(new URL("../../web/", import.meta.url));

/** Default port of the page (`--port`). */
export const DEFAULT_GRAPH_PORT = 8470;

/** Options of {@link serveGraph}. */
export interface ServeOptions extends LabDeps {
  /** Address to listen on. @default "127.0.0.1" */
  readonly host?: string;
  /** TCP port; 0 takes any free one. @default DEFAULT_GRAPH_PORT */
  readonly port?: number;
  /** Time between readings of the lab while a page listens, ms. @default 1000 */
  readonly intervalMs?: number;
}

/** A running page server. */
export interface GraphServer {
  readonly lab: string;
  /** `http://HOST:PORT/`. */
  readonly url: string;
  readonly port: number;
  /** Stops it: every page's event stream ends, the port is free when it resolves. */
  close(): Promise<void>;
}

const FILES: Record<string, { file: () => string; type: string }> = {
  "/": { file: () => `${WEB_DIR}graph.html`, type: "text/html; charset=utf-8" },
  "/graph.js": { file: () => `${WEB_DIR}graph.js`, type: "text/javascript; charset=utf-8" },
  "/graph.css": { file: () => `${WEB_DIR}graph.css`, type: "text/css; charset=utf-8" },
  "/lib/cytoscape.esm.min.mjs": {
    file: () => fileURLToPath(import.meta.resolve("cytoscape/dist/cytoscape.esm.min.mjs")),
    type: "text/javascript; charset=utf-8",
  },
};

/**
 * Serves a running lab's live page until {@link GraphServer.close}.
 *
 * @param lab the lab (default: the only lab up)
 * @throws {LabError} when the lab is not up, or the port is taken
 * @throws {UsageError} for a port outside 0–65535
 * @throws {PermissionError} without root (the lab's state is read as `status` reads it)
 * @throws {WirelabError} without Graphviz's `dot` (naming the package)
 */
export async function serveGraph(
  lab: string | undefined,
  options: ServeOptions = {},
): Promise<GraphServer> {
  const deps = resolveDeps(options);
  deps.preflight.requireRoot("graph --serve");
  deps.preflight.requireTools(["dot"]);
  const port = options.port ?? DEFAULT_GRAPH_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be a TCP port (0-65535; 0 takes a free one), not ${port}`);
  const host = options.host ?? "127.0.0.1";
  const intervalMs = options.intervalMs ?? 1000;
  const name = (await requireLab(deps.store, lab !== undefined ? { lab } : {})).lab;

  const listeners = new Set<ServerResponse>();
  let latest: LiveState | undefined;
  let reading: Promise<LiveState> | undefined;
  let closed = false;
  let looping = false;
  let wake: (() => void) | undefined;

  /** One reading at a time; callers during a reading share it. */
  const read = (): Promise<LiveState> => {
    reading ??= readLiveState(name, latest, deps)
      .catch(
        (e: Error): LiveState => ({
          ...(latest ?? { lab: name, version: "", nodes: {}, lans: {}, edges: {} }),
          processes: latest?.processes ?? [],
          missing: latest?.missing ?? [],
          at: Date.now(),
          status: latest?.status ?? "gone",
          error: e.message,
        }),
      )
      .then((s) => {
        latest = s;
        reading = undefined;
        return s;
      });
    return reading;
  };
  const send = (res: ServerResponse, s: LiveState) =>
    res.write(`event: state\ndata: ${JSON.stringify(s)}\n\n`);

  /** Reads and sends while a page listens. */
  const loop = async () => {
    if (looping) return;
    looping = true;
    while (!closed && listeners.size > 0) {
      const started = Date.now();
      const s = await read();
      for (const res of listeners) send(res, s);
      // A reading every intervalMs from start to start (a 40-node lab takes about 1 s to read).
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(0, intervalMs - (Date.now() - started)));
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      wake = undefined;
    }
    looping = false;
  };

  const picture = async () => {
    const p = await livePicture(name, deps);
    const at = await layoutOf(p.graph, deps.run);
    const pos = (id: string) => at.get(id) ?? { x: 0, y: 0 };
    return {
      lab: name,
      version: p.version,
      tiers: p.graph.tiers,
      nodes: p.graph.nodes.map((n) => ({ ...n, ...pos(n.id) })),
      lans: p.graph.lans.map((l) => ({ ...l, ...pos(l.id) })),
      edges: p.graph.edges.map((e) => ({ ...e, id: edgeKey(e), commands: edgeCommands(name, e) })),
    };
  };

  const loopback = /^(127\.|::1$|localhost$)/.test(host);
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    // A page on another site must not reach a loopback server through a DNS name of its own (DNS rebinding).
    const hostHeader = (req.headers.host ?? "").replace(/:\d+$/, "");
    if (loopback && !/^(127\.[\d.]+|localhost|\[::1\])$/.test(hostHeader)) {
      res
        .writeHead(403, { "content-type": "text/plain" })
        .end("wirelab serves this page to 127.0.0.1 and localhost only\n");
      return;
    }
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (req.method !== "GET") {
      res.writeHead(405, { allow: "GET" }).end();
      return;
    }
    if (path === "/api/events") {
      res.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
        connection: "keep-alive",
      });
      res.write(`retry: ${Math.max(500, intervalMs)}\n\n`);
      if (latest) send(res, latest);
      listeners.add(res);
      req.on("close", () => listeners.delete(res));
      // A new page gets a fresh reading now.
      wake?.();
      void loop();
      return;
    }
    if (path === "/api/state") return json(res, await read());
    if (path === "/api/graph") return json(res, await picture());
    const f = FILES[path];
    if (!f) {
      res.writeHead(404, { "content-type": "text/plain" }).end(`no ${path} here\n`);
      return;
    }
    res.writeHead(200, { "content-type": f.type, "cache-control": "no-cache" });
    res.end(await readFile(f.file()));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: Error) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(`${e.message}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) =>
      reject(
        e.code === "EADDRINUSE"
          ? new LabError(
              `port ${port} on ${host} is in use: give another with --port (0 takes a free one)`,
            )
          : e,
      ),
    );
    server.listen(port, host, resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  const shown = host.includes(":") ? `[${host}]` : host;
  return {
    lab: name,
    url: `http://${shown}:${bound}/`,
    port: bound,
    close: async () => {
      closed = true;
      wake?.();
      for (const res of listeners) res.end();
      listeners.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await reading;
    },
  };
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { "content-type": "application/json", "cache-control": "no-cache" });
  res.end(JSON.stringify(body));
}
