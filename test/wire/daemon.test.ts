/**
 * The wire daemon in process, on loopback UDP only: two test sockets play
 * the VMs of a relayed link.
 */
import { createSocket, type Socket } from "node:dgram";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_IMPAIRMENT } from "../../src/impairment.js";
import { WireClient } from "../../src/wire/client.js";
import { startWireDaemon, type WireDaemon } from "../../src/wire/daemon.js";

const bind = (port: number) =>
  new Promise<Socket>((resolve, reject) => {
    const s = createSocket("udp4");
    s.once("error", reject);
    s.bind(port, "127.0.0.1", () => resolve(s));
  });

describe("wire daemon on loopback", () => {
  const dir = mkdtempSync(join(tmpdir(), "wl-daemon-test-"));
  const base = 41000 + (process.pid % 500) * 8;
  let daemon: WireDaemon;
  let vmA: Socket;
  let vmB: Socket;
  const gotB: Buffer[] = [];

  beforeAll(async () => {
    vmA = await bind(base + 2);
    vmB = await bind(base + 3);
    vmB.on("message", (m) => gotB.push(m));
    daemon = await startWireDaemon({
      lab: "wltest",
      control: join(dir, "control.sock"),
      liveState: join(dir, "live.json"),
      pidfile: join(dir, "daemon.pid"),
      attachments: [],
      links: [
        {
          name: "r",
          mode: "relay",
          ports: [
            { name: "a:eth1", listen: base, peer: base + 2, impair: NO_IMPAIRMENT },
            { name: "b:eth1", listen: base + 1, peer: base + 3, impair: NO_IMPAIRMENT },
          ],
        },
      ],
    });
  });

  afterAll(async () => {
    await daemon?.close();
    vmA?.close();
    vmB?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const send = (s: Socket, data: Buffer, port: number) =>
    new Promise((r) => s.send(data, port, "127.0.0.1", r));

  it("counts and drops datagrams too short for a frame, and keeps forwarding", async () => {
    for (const junk of [Buffer.alloc(0), Buffer.alloc(5, 0xff), Buffer.alloc(13)]) {
      await send(vmA, junk, base);
    }
    const frame = Buffer.concat([
      Buffer.from("0180c200000e020000000001", "hex"),
      Buffer.from([0x88, 0xcc]),
      Buffer.alloc(46),
    ]);
    await send(vmA, frame, base);
    for (let i = 0; i < 50 && gotB.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(gotB.map((b) => b.toString("hex"))).toEqual([frame.toString("hex")]);
    const client = await WireClient.connect(join(dir, "control.sock"));
    const shown = await client.show();
    client.close();
    const a = shown.links[0]?.ports[0];
    expect(a?.stats.malformed).toBe(3);
    expect(a?.stats.rxFrames).toBe(1);
    expect(shown.links[0]?.ports[1]?.stats.txFrames).toBe(1);
  });

  it("takes datagrams only from the port's own VM", async () => {
    const stranger = await bind(0);
    const frame = Buffer.concat([
      Buffer.from("ffffffffffff020000000009", "hex"),
      Buffer.from([0x08, 0x06]),
      Buffer.alloc(46),
    ]);
    await send(stranger, frame, base);
    stranger.close();
    // A frame of a's own, sent after: once it is through, the stranger's would have been before it.
    const marker = Buffer.concat([
      Buffer.from("ffffffffffff020000000001", "hex"),
      Buffer.from([0x08, 0x06]),
      Buffer.alloc(46, 7),
    ]);
    await send(vmA, marker, base);
    for (let i = 0; i < 100 && gotB.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(gotB.map((b) => b.toString("hex"))).toEqual([
      expect.any(String),
      marker.toString("hex"),
    ]);
  });

  it("refuses control requests for unknown links and ports, with the reason", async () => {
    const client = await WireClient.connect(join(dir, "control.sock"));
    await expect(client.setLink("nope", "a:eth1", false)).rejects.toThrow(/carries no link "nope"/);
    await expect(client.setLink("r", "c:eth9", false)).rejects.toThrow(/has no port "c:eth9"/);
    client.close();
  });
});

describe("wire daemon reload", () => {
  const dir = mkdtempSync(join(tmpdir(), "wl-daemon-reload-"));
  const base = 45000 + (process.pid % 500) * 8;
  const frame = (tag: number) =>
    Buffer.concat([
      Buffer.from("ffffffffffff0200000000", "hex"),
      Buffer.from([tag, 0x08, 0x06]),
      Buffer.alloc(46, tag),
    ]);
  const until = async (ok: () => boolean) => {
    for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  };

  it("starts new links (a spliced VM NIC's two chardevs among them), stops gone ones, leaves kept ones alone", async () => {
    const { createServer } = await import("node:net");
    // Stand-ins for QEMU's chardevs: "from" sends the guest's frames, "to" takes the daemon's.
    const listen = (path: string, onData?: (d: Buffer) => void) =>
      new Promise<import("node:net").Server>((resolve) => {
        const server = createServer((c) => {
          conns.push(c);
          if (onData) c.on("data", onData);
        });
        server.listen(path, () => resolve(server));
      });
    const conns: import("node:net").Socket[] = [];
    const toGuest: Buffer[] = [];
    const servers = [
      await listen(join(dir, "go.sock")),
      await listen(join(dir, "gi.sock"), (d) => toGuest.push(d)),
    ];
    const a = await bind(base + 2);
    const b = await bind(base + 3);
    const c = await bind(base + 5);
    const gotB: Buffer[] = [];
    const gotC: Buffer[] = [];
    b.on("message", (m) => gotB.push(m));
    c.on("message", (m) => gotC.push(m));
    const first = {
      name: "kept",
      mode: "relay" as const,
      ports: [
        { name: "a:eth1", listen: base, peer: base + 2, impair: NO_IMPAIRMENT },
        { name: "b:eth1", listen: base + 1, peer: base + 3, impair: NO_IMPAIRMENT },
      ],
    };
    const spliced = {
      name: "spliced",
      mode: "relay" as const,
      ports: [
        {
          name: "vm:eth1",
          streams: { from: join(dir, "go.sock"), to: join(dir, "gi.sock") },
          listen: 0,
          peer: 0,
          impair: NO_IMPAIRMENT,
        },
        { name: "c:eth1", listen: base + 4, peer: base + 5, impair: NO_IMPAIRMENT },
      ],
    };
    const config = {
      lab: "wltest",
      control: join(dir, "control.sock"),
      liveState: join(dir, "live.json"),
      pidfile: join(dir, "daemon.pid"),
      attachments: [],
      links: [first],
    };
    const daemon = await startWireDaemon(config);
    try {
      a.send(frame(1), base, "127.0.0.1");
      await until(() => gotB.length === 1);
      const keptSegment = daemon.segments.get("kept");
      // Resolves once the chardevs accepted the daemon: frames may be diverted to them then.
      expect(await daemon.reload({ ...config, links: [first, spliced] })).toEqual({
        started: ["spliced"],
        stopped: [],
      });
      expect(conns).toHaveLength(2);
      expect(daemon.segments.get("kept")).toBe(keptSegment);
      // The guest's frame, framed as QEMU frames it, comes out at c; c's goes to the guest.
      const head = Buffer.alloc(4);
      head.writeUInt32BE(frame(2).length);
      conns[0]?.write(Buffer.concat([head, frame(2)]));
      await until(() => gotC.length === 1);
      expect(gotC[0]?.toString("hex")).toBe(frame(2).toString("hex"));
      c.send(frame(3), base + 4, "127.0.0.1");
      await until(() => Buffer.concat(toGuest).length >= 4 + frame(3).length);
      expect(Buffer.concat(toGuest).subarray(4).toString("hex")).toBe(frame(3).toString("hex"));
      a.send(frame(4), base, "127.0.0.1");
      await until(() => gotB.length === 2);
      expect(daemon.segments.get("kept")?.stats[0]?.rxFrames).toBe(2);
      expect(await daemon.reload({ ...config, links: [first] })).toEqual({
        started: [],
        stopped: ["spliced"],
      });
      expect(daemon.segments.has("spliced")).toBe(false);
      // Its port is free again.
      (await bind(base + 4)).close();
    } finally {
      await daemon.close();
      for (const s of [a, b, c]) s.close();
      for (const x of conns) x.destroy();
      for (const s of servers) s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
