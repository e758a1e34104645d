// wirelab's live page: the lab's picture (Cytoscape.js, positions from
// Graphviz), kept live by the server's `state` events (/api/events).
// Everything a topology names is shown through textContent, never as HTML.
import cytoscape from "/lib/cytoscape.esm.min.mjs";

const $ = (id) => document.getElementById(id);

/** What the page knows: the picture, the latest state, and what is selected. */
const page = { picture: undefined, state: undefined, selected: undefined, cy: undefined };
window.wirelab = page;

const STYLE = [
  {
    selector: "node",
    style: {
      label: "data(label)",
      "text-wrap": "wrap",
      "text-valign": "center",
      "font-size": 10,
      "background-color": "#fff",
      "border-width": 2,
      "border-color": "#2e7d32",
      shape: "round-rectangle",
      width: 80,
      height: 40,
    },
  },
  {
    selector: "node.vm",
    style: { "border-style": "double", "border-width": 5, shape: "rectangle" },
  },
  {
    selector: "node.router",
    style: { shape: "octagon", "background-color": "#d6ecf7", width: 90, height: 50 },
  },
  {
    selector: "node.lan",
    style: {
      shape: "ellipse",
      "border-style": "dashed",
      width: 100,
      height: 44,
      "background-color": "#fafafa",
    },
  },
  { selector: "node.lan.hub", style: { width: 60, height: 60 } },
  { selector: "node.lan.switch", style: { shape: "hexagon" } },
  {
    selector: "node.stopped",
    style: { "border-color": "#9e9e9e", "background-color": "#eee", color: "#777" },
  },
  { selector: "node.absent", style: { "border-color": "#d32f2f", "background-color": "#fdecea" } },
  { selector: "node.lan.impaired", style: { "border-color": "#ef6c00" } },
  { selector: "node.lan.down", style: { "border-color": "#d32f2f" } },
  {
    selector: "edge",
    style: {
      width: 2,
      "line-color": "#607d8b",
      "curve-style": "bezier",
      label: "data(label)",
      "font-size": 8,
      "text-background-color": "#fff",
      "text-background-opacity": 0.8,
      "source-label": "data(fromIf)",
      "target-label": "data(toIf)",
      "source-text-offset": 18,
      "target-text-offset": 18,
    },
  },
  { selector: "edge.udp", style: { "line-style": "dashed" } },
  { selector: "edge.tap", style: { "line-style": "dotted" } },
  { selector: "edge.daemon, edge.spliced", style: { width: 4 } },
  { selector: "edge.impaired", style: { "line-color": "#ef6c00" } },
  {
    selector: "edge.down",
    style: {
      "line-color": "#d32f2f",
      "line-style": "dashed",
      "line-dash-pattern": [4, 4],
      width: 3,
    },
  },
  {
    selector: ":selected",
    style: { "overlay-color": "#1976d2", "overlay-opacity": 0.15, "overlay-padding": 6 },
  },
];

/** Cytoscape's elements of a picture. */
function elements(p) {
  const nodes = p.nodes.map((n) => ({
    group: "nodes",
    data: {
      id: n.id,
      label: [
        n.id,
        n.kind === "vm" ? "VM" : "namespace",
        n.device === "frr" ? "FRR" : "",
        ...n.loopback,
      ]
        .filter((x) => x)
        .join("\n"),
      what: "node",
    },
    position: { x: n.x, y: n.y },
    classes: [n.kind, n.device === "frr" ? "router" : ""].filter((x) => x).join(" "),
  }));
  const lans = p.lans.map((l) => ({
    group: "nodes",
    data: { id: l.id, label: [l.id, `LAN (${l.transport})`, ...l.subnets].join("\n"), what: "lan" },
    position: { x: l.x, y: l.y },
    classes: `lan ${l.transport}`,
  }));
  const many = p.edges.length > 24;
  const edges = p.edges.map((e) => ({
    group: "edges",
    data: {
      id: e.id,
      source: e.from,
      target: e.to,
      fromIf: many ? "" : e.fromIf,
      toIf: many || !e.toIf ? "" : e.toIf,
      label: "",
      what: "edge",
      state: "up",
    },
    classes: [e.transport, e.daemon ? "daemon" : ""].filter((x) => x).join(" "),
  }));
  return [...nodes, ...lans, ...edges];
}

async function loadPicture() {
  const res = await fetch("/api/graph");
  if (!res.ok) throw new Error(await res.text());
  const p = await res.json();
  page.picture = p;
  document.title = `wirelab: ${p.lab}`;
  $("title").textContent = `lab ${p.lab}`;
  if (page.cy) page.cy.destroy();
  page.cy = cytoscape({
    container: $("graph"),
    elements: elements(p),
    style: STYLE,
    layout: { name: "preset", fit: true, padding: 30 },
    wheelSensitivity: 0.3,
  });
  page.cy.on("tap", "node, edge", (ev) => select(ev.target.id()));
  page.cy.on("tap", (ev) => {
    if (ev.target === page.cy) select(undefined);
  });
  if (page.state) apply(page.state);
}

/** Colours the picture by a state reading; refreshes the panel. */
function apply(s) {
  page.state = s;
  const status = $("status");
  status.textContent = s.error && s.status === "gone" ? "not up" : s.status;
  status.className = `status ${s.status}`;
  $("updated").textContent = `read ${new Date(s.at).toLocaleTimeString()}`;
  const problem = [s.error, ...(s.missing ?? []).map((m) => `missing: ${m}`)].filter((x) => x);
  $("problem").hidden = problem.length === 0;
  $("problem").textContent = problem.join(" · ");
  const cy = page.cy;
  if (!cy) return;
  cy.batch(() => {
    for (const [id, n] of Object.entries(s.nodes)) {
      const el = cy.getElementById(id);
      el.data("state", n.state);
      el.toggleClass("stopped", n.state === "stopped");
      el.toggleClass("absent", n.state === "absent");
    }
    for (const [id, l] of Object.entries(s.lans)) {
      const el = cy.getElementById(id);
      el.data("state", l.state);
      el.toggleClass("down", l.state === "down");
      el.toggleClass("impaired", l.state === "impaired");
    }
    for (const [id, e] of Object.entries(s.edges)) {
      const el = cy.getElementById(id);
      el.data("state", e.state);
      el.toggleClass("down", e.state === "down");
      el.toggleClass("impaired", e.state === "impaired");
      // Spliced onto the wire daemon now (an impairment): drawn as the daemon's.
      el.toggleClass("spliced", e.relayed === "spliced");
      const fps = e.endpoints.reduce((sum, x) => sum + (x.txFps ?? 0), 0);
      el.data("label", fps > 0 ? `${fps} fps` : "");
    }
  });
  if (page.selected) show(page.selected);
}

function select(id) {
  page.selected = id;
  show(id);
}

/** Builds an element with text (never HTML). */
function h(tag, text, props = {}) {
  const el = document.createElement(tag);
  if (text !== undefined) el.textContent = text;
  Object.assign(el, props);
  return el;
}

function table(head, rows) {
  const t = h("table");
  const tr = h("tr");
  for (const c of head) tr.append(h("th", c));
  t.append(tr);
  for (const r of rows) {
    const row = h("tr");
    for (const c of r) row.append(typeof c === "string" ? h("td", c) : c);
    t.append(row);
  }
  return t;
}

const stateCell = (s) => h("td", s, { className: `state-${String(s).toLowerCase()}` });

const impairText = (i) => {
  if (!i) return "";
  const parts = [];
  if (i.delayMs) parts.push(`delay ${i.delayMs} ms`);
  if (i.jitterMs) parts.push(`jitter ${i.jitterMs} ms`);
  if (i.lossPct) parts.push(`loss ${i.lossPct}%`);
  if (i.rateKbit) parts.push(`rate ${i.rateKbit} kbit/s`);
  if (i.corruptPct) parts.push(`corrupt ${i.corruptPct}%`);
  if (i.duplicatePct) parts.push(`duplicate ${i.duplicatePct}%`);
  return parts.join(", ") || "none";
};

/** Fills the side panel for a node, LAN or edge. */
function show(id) {
  const panel = $("panel");
  panel.replaceChildren();
  const p = page.picture;
  const s = page.state;
  if (!id || !p) {
    panel.append(h("p", "Click a node, a LAN or a link.", { className: "hint" }));
    return;
  }
  const node = p.nodes.find((n) => n.id === id);
  const lan = p.lans.find((l) => l.id === id);
  const edge = p.edges.find((e) => e.id === id);
  if (node) {
    const live = s?.nodes[id];
    panel.append(h("h2", `node ${id}`));
    panel.append(
      table(
        ["", ""],
        [
          ["kind", node.kind === "vm" ? "VM (QEMU)" : "namespace"],
          ["device", node.device],
          ["state", stateCell(live?.state ?? "unknown")],
          ...(live?.sshPort ? [["ssh", `127.0.0.1 port ${live.sshPort}`]] : []),
          ...(node.loopback.length ? [["loopback", node.loopback.join(", ")]] : []),
        ],
      ),
    );
    if (live?.device) {
      panel.append(h("h3", `${live.device.device} daemons`));
      panel.append(
        table(
          ["daemon", "state"],
          [
            ...live.device.running.map((d) => [d, stateCell("up")]),
            ...live.device.missing.map((d) => [d, stateCell("down")]),
          ],
        ),
      );
    }
    panel.append(h("h3", "interfaces"));
    panel.append(
      table(
        ["interface", "state", "addresses", "link"],
        (live?.interfaces ?? []).map((i) => [
          h("td", `${i.ifname}\n${i.mac}`, { style: "white-space: pre" }),
          stateCell(i.state),
          i.addresses.join("\n"),
          i.peer ? `${i.link} → ${i.peer}` : i.link,
        ]),
      ),
    );
    return;
  }
  if (lan) {
    panel.append(h("h2", `LAN ${id}`));
    panel.append(
      table(
        ["", ""],
        [
          ["transport", lan.transport],
          ["subnets", lan.subnets.join(", ")],
          ["state", stateCell(s?.lans[id]?.state ?? "unknown")],
        ],
      ),
    );
    panel.append(h("h3", "ports"));
    const ports = p.edges.filter((e) => e.to === id && !e.toIf);
    panel.append(
      table(
        ["port", "state"],
        ports.map((e) => [`${e.from} ${e.fromIf}`, stateCell(s?.edges[e.id]?.state ?? "unknown")]),
      ),
    );
    return;
  }
  if (edge) {
    const live = s?.edges[id];
    panel.append(
      h(
        "h2",
        edge.toIf ? `link ${edge.link}` : `LAN ${edge.link}: port ${edge.from} ${edge.fromIf}`,
      ),
    );
    panel.append(
      table(
        ["", ""],
        [
          ["transport", `${edge.transport}${edge.daemon ? " (wire daemon)" : ""}`],
          ...(edge.subnets.length ? [["subnets", edge.subnets.join(", ")]] : []),
          ["state", stateCell(live?.state ?? "unknown")],
          ["relayed", live ? `${live.relayed}${live.why ? `: ${live.why}` : ""}` : ""],
        ],
      ),
    );
    panel.append(h("h3", "ends"));
    panel.append(
      table(
        ["end", "state", "sends with", "frames sent / received"],
        (live?.endpoints ?? []).map((x) => [
          `${x.node} ${x.ifname}`,
          stateCell(x.up === false ? "cut" : x.operstate),
          impairText(x.impair) + (x.receives ? `; receives: ${impairText(x.receives)}` : ""),
          x.txFrames === undefined
            ? "(not on the daemon)"
            : `${x.txFrames} / ${x.rxFrames}${x.txFps || x.rxFps ? ` (${x.txFps ?? 0} / ${x.rxFps ?? 0} fps)` : ""}${x.dropped ? `, ${x.dropped} dropped` : ""}`,
        ]),
      ),
    );
    panel.append(h("h3", "commands"));
    for (const c of edge.commands) {
      const div = h("div", undefined, { className: "command" });
      div.append(h("div", c.what), h("code", c.command));
      panel.append(div);
    }
  }
}

function listen() {
  const events = new EventSource("/api/events");
  events.addEventListener("state", (ev) => {
    const s = JSON.parse(ev.data);
    // An `up` changed the lab: its picture first.
    if (s.version && page.picture && s.version !== page.picture.version) {
      page.state = s;
      loadPicture().catch(lost);
      return;
    }
    apply(s);
  });
  events.onerror = () => {
    $("status").textContent = "connection lost: retrying";
    $("status").className = "status lost";
  };
}

function lost(e) {
  $("problem").hidden = false;
  $("problem").textContent = String(e.message ?? e);
}

loadPicture().then(listen).catch(lost);
