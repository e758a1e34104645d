import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { resolveLab } from "../../src/lab/resolve.js";
import { type LabState, StateStore } from "../../src/lab/state.js";
import { plan } from "../helpers.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempStore(): StateStore {
  const dir = mkdtempSync(join(tmpdir(), "wirelab-state-"));
  dirs.push(dir);
  return new StateStore(dir);
}

const record = (lab: string, file = `/x/${lab}.yml`): Omit<LabState, "version" | "updated"> => ({
  lab,
  file,
  status: "up",
  plan: plan(`name: ${lab}\nnodes: [a, b]\nlinks: [a-b]\n`),
  ports: { udp: {}, tcp: {} },
  owned: [{ provider: "netns", owned: { namespaces: [`wl-${lab}-a`], hostDevices: [] } }],
});

describe("the state lock", () => {
  it("is taken, refused to another holder, and released", async () => {
    const store = tempStore();
    const release = await store.lock("l1");
    expect(existsSync(join(store.dir, "locks", "l1.lock.pid"))).toBe(true);
    await expect(store.lock("l1")).rejects.toThrow(
      new RegExp(`is busy: process ${process.pid} is changing it`),
    );
    await release();
    expect(existsSync(join(store.dir, "locks", "l1.lock.pid"))).toBe(false);
    // Free again at once, and the lock file stays (it is never stale).
    const again = await store.lock("l1");
    await again();
    expect(existsSync(join(store.dir, "locks", "l1.lock"))).toBe(true);
  });

  it("is free when its holder is gone, whatever the files say", async () => {
    const store = tempStore();
    mkdirSync(join(store.dir, "locks"), { recursive: true });
    // A PID file left by a killed holder, naming a live process (PID 1), and an empty one.
    writeFileSync(join(store.dir, "locks", "l2.lock.pid"), "1\n");
    writeFileSync(join(store.dir, "locks", "l2.lock"), "");
    const release = await store.lock("l2");
    await release();
  });

  it("is refused while another process holds the flock, and free the moment it ends", async () => {
    const store = tempStore();
    mkdirSync(join(store.dir, "locks"), { recursive: true });
    const path = join(store.dir, "locks", "l3.lock");
    const other = spawn("flock", ["--close", path, "sh", "-c", "echo held; exec sleep 60"], {
      stdio: ["ignore", "pipe", "ignore"],
      detached: true,
    });
    try {
      await new Promise((r) => other.stdout.once("data", r));
      await expect(store.lock("l3")).rejects.toThrow(/lab "l3" is busy: another wirelab/);
    } finally {
      const exited = new Promise((r) => other.once("exit", r));
      other.kill("SIGKILL");
      await exited;
    }
    // Its holder died with SIGKILL: the kernel dropped the lock.
    try {
      const release = await store.lock("l3");
      await release();
    } finally {
      process.kill(-(other.pid as number), "SIGKILL");
    }
  });

  it("lets exactly one of many concurrent takers in", async () => {
    const store = tempStore();
    const tries = await Promise.allSettled(Array.from({ length: 8 }, () => store.lock("l4")));
    const taken = tries.filter((t) => t.status === "fulfilled");
    expect(taken).toHaveLength(1);
    for (const t of tries) if (t.status === "rejected") expect(String(t.reason)).toMatch(/is busy/);
    await (taken[0] as PromiseFulfilledResult<() => Promise<void>>).value();
  });
});

describe("records", () => {
  it("are written atomically and read back", async () => {
    const store = tempStore();
    await store.write(record("l1"));
    const back = await store.read("l1");
    expect(back?.version).toBe(2);
    expect(back?.owned[0]?.provider).toBe("netns");
    expect((await store.list()).map((s) => s.lab)).toEqual(["l1"]);
  });

  it("of version 1 are read in today's form, their parts assigned to providers", async () => {
    const store = tempStore();
    const v1 = {
      version: 1,
      lab: "old",
      file: "/x/old.yml",
      status: "up",
      plan: {
        version: 1,
        lab: "old",
        nodes: [
          {
            name: "r1",
            kind: "vm",
            vm: {
              memoryMiB: 96,
              cpus: 1,
              managementMac: "02:00:00:00:10:00",
              nic: "virtio-net-pci",
            },
            forwarding: false,
            loopback: {},
            interfaces: [{ name: "eth1", mac: "02:00:00:00:10:01", link: "h-r1", peer: "h:eth1" }],
            routes: [],
          },
        ],
        links: [
          {
            name: "h-r1",
            type: "p2p",
            transport: "relay",
            subnets: {},
            endpoints: [
              { node: "h", interface: "eth1", hostVeth: "wl00001v1" },
              { node: "r1", interface: "eth1" },
            ],
          },
        ],
        tests: [],
      },
      namespaces: ["wl-old-h"],
      hostDevices: ["wl00001v1"],
      vms: ["r1"],
      ports: { udp: { "h-r1:h:eth1": 20001 }, ssh: { r1: 20002 } },
      updated: "2026-11-01T00:00:00.000Z",
    };
    mkdirSync(store.labDir("old"), { recursive: true });
    writeFileSync(join(store.labDir("old"), "state.json"), JSON.stringify(v1));
    const s = await store.read("old");
    expect(s?.version).toBe(2);
    expect(s?.plan.nodes[0]?.interfaces[0]?.ifname).toBe("eth1");
    expect(s?.plan.links[0]?.endpoints.map((e) => e.ifname)).toEqual(["eth1", "eth1"]);
    expect(s?.ports).toEqual({ udp: { "h-r1:h:eth1": 20001 }, tcp: { "ssh:r1": 20002 } });
    expect(s?.owned).toEqual([
      { provider: "netns", owned: { namespaces: ["wl-old-h"], hostDevices: ["wl00001v1"] } },
      { provider: "wire", owned: { daemon: true } },
      { provider: "qemu", owned: { vms: ["r1"] } },
    ]);
  });
});

describe("which lab a command is about", () => {
  it("is the one named, by --lab or by its file's name:", async () => {
    const store = tempStore();
    await store.write(record("l1"));
    expect((await resolveLab(store, { lab: "l1" })).state?.lab).toBe("l1");
    const dir = mkdtempSync(join(tmpdir(), "wirelab-topo-"));
    dirs.push(dir);
    const file = join(dir, "anything.yml");
    writeFileSync(file, "name: l1\nnodes: [a]\n");
    expect((await resolveLab(store, { file })).lab).toBe("l1");
    // No name: the file's stem, even when the rest of the file is broken.
    const stem = join(dir, "My Lab.yml");
    writeFileSync(stem, "nodes: [a\n");
    expect(await resolveLab(store, { file: stem })).toEqual({ lab: "my-lab" });
  });

  it("is the only lab up when none is named, and an error naming them otherwise", async () => {
    const store = tempStore();
    await expect(resolveLab(store, {})).rejects.toThrow("no lab is up");
    await store.write(record("l1"));
    expect((await resolveLab(store, {})).lab).toBe("l1");
    await store.write(record("l2"));
    await expect(resolveLab(store, {})).rejects.toThrow(
      "2 labs are up (l1, l2); name one with --lab NAME",
    );
  });
});
