/**
 * `up`'s decisions and the rollback stack, on the fakes (no root, no kernel
 * objects, no VMs): what is recorded when, what each case starts or
 * removes, and in which order.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LabError } from "../../src/errors.js";
import { down } from "../../src/lab/down.js";
import { UnwindError } from "../../src/lab/rollback.js";
import { up } from "../../src/lab/up.js";
import { pidFromFile } from "../../src/process.js";
import { type World, world } from "./fakes.js";

const TOPOLOGY = `name: t
nodes:
  a: {}
  b: {}
  v1: { kind: vm }
  v2: { kind: vm }
links:
  - a-b                             # veth
  - a-v1                            # tap + mirred
  - v1-v2                           # QEMU UDP tunnel
  - { a: {}, b: {}, relay: true }   # the wire daemon, socat for a and b
`;

const saved: Record<string, string | undefined> = {};
beforeAll(() => {
  // No KVM probe and no snapshot: either would run a real QEMU (the stand-ins answer no QMP).
  for (const [k, v] of Object.entries({ WIRELAB_ACCEL: "tcg", WIRELAB_VM_START: "boot" })) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
});
afterAll(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

let w: World;
afterEach(async () => {
  await w.cleanup();
});

/** A world with the lab up. */
async function upWorld(): Promise<{ file: string }> {
  w = world();
  const file = w.file("t.yml", TOPOLOGY);
  await up(file, w.deps);
  return { file };
}

const qemuPid = (node: string) =>
  pidFromFile(join(w.store.labDir("t"), "vm", `${node}.pid`), (argv) =>
    argv.includes(`wl-t-${node}`),
  );

describe("up", () => {
  it("records each provider's part before its first step, then runs the phases in order", async () => {
    w = world();
    const file = w.file("t.yml", TOPOLOGY);
    let recordedFirst: unknown;
    w.kernel.beforeChange = () => {
      recordedFirst = JSON.parse(readFileSync(join(w.store.labDir("t"), "state.json"), "utf8"));
    };
    const r = await up(file, w.deps);
    expect(r.changed).toBe(true);
    // Before the first namespace was created, the record said the netns provider owns them.
    expect(recordedFirst).toMatchObject({
      status: "creating",
      owned: [{ provider: "netns", owned: { namespaces: ["wl-t-a", "wl-t-b"] } }],
    });
    const state = await w.store.read("t");
    expect(state?.status).toBe("up");
    expect(state?.owned.map((s) => s.provider)).toEqual(["netns", "wire", "qemu"]);
    expect([...w.kernel.namespaces].sort()).toEqual(["wl-t-a", "wl-t-b"]);
    // Kernel objects, then the daemon, then the VMs (which need the taps).
    const starts = w.events.filter((e) => e.startsWith("start:"));
    expect(starts[0]).toBe("start: wire supervisor");
    // The VMs boot at once, in any order.
    expect(starts.slice(1).sort()).toEqual(["start: qemu wl-t-v1", "start: qemu wl-t-v2"]);
    expect(w.events.findIndex((e) => e.startsWith("start:"))).toBeGreaterThan(
      w.events.indexOf("kernel: netns add wl-t-a"),
    );
    expect(await qemuPid("v1")).toBeTypeOf("number");
  });

  it("changes nothing when the lab is up as planned", async () => {
    const { file } = await upWorld();
    const before = w.events.length;
    const r = await up(file, w.deps);
    expect(r.changed).toBe(false);
    expect(w.events.slice(before)).toEqual([]);
  });

  it("with apply: false, refuses a changed file, saying what differs, and touches nothing", async () => {
    const { file } = await upWorld();
    const before = w.events.length;
    w.file("t.yml", TOPOLOGY.replace("  b: {}\n", "  b: {}\n  c: {}\n"));
    await expect(up(file, { ...w.deps, apply: false })).rejects.toThrow(
      /differs in:\n {2}\+ node c\n/,
    );
    expect(w.events.slice(before)).toEqual([]);
    expect((await w.store.read("t"))?.status).toBe("up");
  });

  it("with dryRun, says what a changed file would change, and touches nothing", async () => {
    const { file } = await upWorld();
    const before = w.events.length;
    w.file("t.yml", TOPOLOGY.replace("  b: {}\n", "  b: {}\n  c: {}\n"));
    const r = await up(file, { ...w.deps, dryRun: true });
    expect(r.changed).toBe(false);
    expect(r.changes).toEqual(["+ node c"]);
    expect(w.events.slice(before)).toEqual([]);
    expect((await w.store.read("t"))?.status).toBe("up");
  });

  it("refuses a lab of the same name from another file", async () => {
    await upWorld();
    const other = w.file("other.yml", TOPOLOGY);
    await expect(up(other, w.deps)).rejects.toThrow(/is already up from .*t\.yml/);
  });

  it("starts again a VM whose QEMU died, and nothing else", async () => {
    const { file } = await upWorld();
    await w.processes.kill((await qemuPid("v2")) as number);
    expect(await qemuPid("v2")).toBeUndefined();
    const before = w.events.length;
    const r = await up(file, w.deps);
    expect(r.changed).toBe(true);
    expect(w.events.slice(before)).toEqual(["start: qemu wl-t-v2"]);
    expect(await qemuPid("v2")).toBeTypeOf("number");
  });

  it("starts again a wire daemon that is gone, and nothing else", async () => {
    const { file } = await upWorld();
    const pidfile = join(w.store.labDir("t"), "wire", "supervisor.pid");
    const supervisor = Number(readFileSync(pidfile, "utf8"));
    await w.processes.kill(supervisor);
    const before = w.events.length;
    expect((await up(file, w.deps)).changed).toBe(true);
    expect(w.events.slice(before)).toEqual(["start: wire supervisor"]);
    expect(Number(readFileSync(pidfile, "utf8"))).not.toBe(supervisor);
  });

  it("puts back a namespace node it lost, with its wires, and nothing else", async () => {
    const { file } = await upWorld();
    w.kernel.namespaces.delete("wl-t-b");
    w.kernel.inNamespace.delete("wl-t-b");
    const before = w.events.length;
    expect((await up(file, w.deps)).changed).toBe(true);
    const after = w.events.slice(before);
    expect(after).toContain("kernel: netns add wl-t-b");
    expect(after.some((e) => /^kernel: link add eth1 netns wl-t-b .*type veth/.test(e))).toBe(true);
    expect(after.filter((e) => /netns delete wl-t-a|^start:/.test(e))).toEqual([]);
    expect([...w.kernel.namespaces].sort()).toEqual(["wl-t-a", "wl-t-b"]);
    // Whole again: a second up does nothing.
    const again = w.events.length;
    expect((await up(file, w.deps)).changed).toBe(false);
    expect(w.events.slice(again)).toEqual([]);
  });

  it("puts back a tap deleted by hand, joins it again, and restarts only the VM on it", async () => {
    const { file } = await upWorld();
    const tap = [...w.kernel.hostLinks].find((d) => /t\d+$/.test(d)) as string;
    w.kernel.hostLinks.delete(tap);
    for (const m of [...w.kernel.mirred]) if (m.includes(tap)) w.kernel.mirred.delete(m);
    const before = w.events.length;
    expect((await up(file, w.deps)).changed).toBe(true);
    const after = w.events.slice(before);
    expect(after).toContain(`kernel: tuntap add dev ${tap} mode tap`);
    expect(
      after.filter((e) => e.startsWith("start:")),
      after.join("\n"),
    ).toEqual(["start: qemu wl-t-v1"]);
    expect([...w.kernel.mirred].filter((m) => m.includes(tap))).toHaveLength(2);
    const again = w.events.length;
    expect((await up(file, w.deps)).changed).toBe(false);
    expect(w.events.slice(again)).toEqual([]);
  });

  it("finishes an interrupted up by undoing its record and building again", async () => {
    const { file } = await upWorld();
    const state = await w.store.read("t");
    await w.store.write({ ...(state as NonNullable<typeof state>), status: "creating" });
    const before = w.events.length;
    expect((await up(file, w.deps)).changed).toBe(true);
    const after = w.events.slice(before);
    expect(after[0]).toMatch(/^kernel: link delete /);
    expect(after).toContain("kernel: netns add wl-t-a");
    expect((await w.store.read("t"))?.status).toBe("up");
  });
});

describe("the rollback stack", () => {
  it("unwinds a failed up last entry first, and forgets the lab", async () => {
    w = world();
    const file = w.file("t.yml", TOPOLOGY);
    w.processes.failStart = (argv) => argv.includes("wl-t-v2");
    await expect(up(file, w.deps)).rejects.toThrow(/VM v2/);
    const undo = w.events.slice(w.events.indexOf("start: qemu wl-t-v2") + 1);
    // The VMs go first (they hold the taps), the kernel objects last: host devices, then namespaces.
    const firstDelete = undo.findIndex((e) => e.startsWith("kernel: link delete"));
    const nsDelete = undo.findIndex((e) => e.startsWith("kernel: netns delete"));
    expect(firstDelete).toBeGreaterThan(-1);
    expect(nsDelete).toBeGreaterThan(firstDelete);
    expect(await qemuPid("v1")).toBeUndefined();
    expect(w.kernel.namespaces.size).toBe(0);
    expect(w.kernel.hostLinks.size).toBe(0);
    expect(await w.store.read("t")).toBeUndefined();
  });

  it("keeps the record when undoing fails, so that down can finish", async () => {
    w = world();
    const file = w.file("t.yml", TOPOLOGY);
    w.processes.failStart = (argv) => argv.includes("wl-t-v1");
    w.kernel.failLine = (l) =>
      l.startsWith("netns delete") ? "Device or resource busy" : undefined;
    const e = await up(file, w.deps).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UnwindError);
    expect((e as Error).message).toMatch(/VM v1 did not answer[\s\S]*Device or resource busy/);
    expect((await w.store.read("t"))?.status).toBe("destroying");
    w.kernel.failLine = undefined;
    const r = await down({ lab: "t" }, w.deps);
    expect(r.changed).toBe(true);
    expect(w.kernel.namespaces.size).toBe(0);
    expect(await w.store.read("t")).toBeUndefined();
  });

  it("down undoes the same stack: VMs, then the daemon, then kernel objects", async () => {
    await upWorld();
    const before = w.events.length;
    const r = await down({ lab: "t" }, w.deps);
    expect(r.vms).toEqual(expect.arrayContaining(["v1", "v2"]));
    expect(r.removed).toEqual(["wl-t-a", "wl-t-b"]);
    const after = w.events.slice(before);
    expect(after[0]).toMatch(/^kernel: link delete /);
    expect(after.at(-1)).toBe("kernel: netns delete wl-t-b");
    expect(await qemuPid("v1")).toBeUndefined();
    expect(w.kernel.hostLinks.size).toBe(0);
    expect(await w.store.read("t")).toBeUndefined();
  });

  it("stops when aborted, and removes what it built", async () => {
    w = world();
    const file = w.file("t.yml", TOPOLOGY);
    const abort = new AbortController();
    w.kernel.beforeChange = () => abort.abort();
    const e = await up(file, { ...w.deps, signal: abort.signal }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LabError);
    expect((e as Error).message).toContain("was interrupted; removed what it had built");
    expect(w.kernel.namespaces.size).toBe(0);
    expect(await w.store.read("t")).toBeUndefined();
  });
});
