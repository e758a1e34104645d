import { execFileSync, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { GuestImage } from "../../src/image/build.js";
import { macAddress } from "../../src/plan/mac.js";
import type { VmNodePlan } from "../../src/plan/types.js";
import { qemuArgs } from "../../src/providers/qemu/args.js";
import { nodeFiles, restoreScript, snapshotMac } from "../../src/providers/qemu/identity.js";
import { startChoices } from "../../src/providers/qemu/provider.js";
import {
  describeShape,
  nodeShape,
  removeStaleBuilds,
  shapeKey,
  snapshotArgs,
  vmShape,
} from "../../src/providers/qemu/snapshot.js";
import { plan } from "../helpers.js";

const image = {
  dir: "/img",
  kernel: "/img/vmlinuz",
  initrd: "/img/initrd.gz",
  tools: "/img/tools.img",
  manifest: { packages: { busybox: "1" }, kernelRelease: "6.1", guestHash: "h", built: "t" },
} as GuestImage;

const lab = plan(`
name: x
defaults: { kind: vm }
nodes:
  r1: { forwarding: true }
  r2: {}
  r3: { start: boot }
  u1: { image: /dev/null }
links: [ r1-r2, { r1: {}, r2: {}, transport: tap }, r2-r3 ]
`);
const vm = (name: string) => lab.nodes.find((n) => n.name === name) as VmNodePlan;

/** Every `-device` value of a command line, with its MAC taken out. */
const devices = (args: string[]) =>
  args.flatMap((a, i) =>
    a === "-device" ? [(args[i + 1] ?? "").replace(/,mac=[0-9a-f:]+/, "")] : [],
  );

describe("VM shapes and their snapshots", () => {
  it("keys a shape by everything the saved state depends on", () => {
    const r1 = vmShape(nodeShape(vm("r1")), image, "tcg", "QEMU 7.2");
    // r2 has a third NIC: with two it is r1's shape.
    const r2 = vmShape({ ...nodeShape(vm("r2")), nics: 2 }, image, "tcg", "QEMU 7.2");
    expect(shapeKey(r1)).toBe(shapeKey(r2));
    expect(describeShape(r1)).toBe("96 MiB, 1 CPU, 2 NICs");
    const other = [
      vmShape({ ...nodeShape(vm("r1")), nics: 3 }, image, "tcg", "QEMU 7.2"),
      vmShape({ ...nodeShape(vm("r1")), memoryMiB: 256 }, image, "tcg", "QEMU 7.2"),
      vmShape(nodeShape(vm("r1")), image, "kvm", "QEMU 7.2"),
      vmShape(nodeShape(vm("r1")), image, "tcg", "QEMU 8.2"),
      vmShape(
        nodeShape(vm("r1")),
        { ...image, manifest: { ...image.manifest, built: "later" } },
        "tcg",
        "QEMU 7.2",
      ),
    ];
    expect(new Set([shapeKey(r1), ...other.map(shapeKey)]).size).toBe(6);
  });

  it("restores a VM with the devices of its shape's snapshot, in the same order", () => {
    const node = vm("r1");
    const shape = vmShape(nodeShape(node), image, "tcg", "QEMU 7.2");
    const saved = snapshotArgs(shape, image.kernel, "/snap/initrd", image.tools);
    const launch = {
      accel: "tcg" as const,
      kernel: image.kernel,
      initrd: "/snap/initrd",
      tools: image.tools,
      files: {
        agent: "/v/a",
        console: "/v/c",
        consoleLog: "/v/cl",
        pidfile: "/v/p",
        log: "/v/l",
        qmp: "/v/q",
      },
      ports: { udp: { "r1-r2:r1:eth1": 1, "r1-r2:r2:eth1": 2 }, tcp: { "ssh:r1": 3 } },
      nicSocket: (i: number) => `/v/n${i}`,
    };
    const restored = qemuArgs(lab, node, launch, { ram: "/snap/ram" });
    expect(devices(restored)).toEqual(devices(saved));
    expect(restored).toContain("memory-backend-file,id=ram,size=96M,mem-path=/snap/ram,share=off");
    expect(saved.find((a) => a.startsWith("memory-backend-file"))).toMatch(/share=on$/);
    expect(
      restored.slice(restored.indexOf("-incoming"), restored.indexOf("-incoming") + 2),
    ).toEqual(["-incoming", "defer"]);
    // A booted VM has neither.
    const booted = qemuArgs(lab, node, launch);
    expect(booted.some((a) => a.includes("memory-backend"))).toBe(false);
    expect(booted).not.toContain("-incoming");
  });

  it("gives a snapshot's NICs MACs no plan gives", () => {
    expect(snapshotMac(0)).toBe("0a:77:6c:00:00:00");
    expect(snapshotMac(300)).toBe("0a:77:6c:00:01:2c");
    const planned = new Set(
      [1, 2, 4095].flatMap((n) => [0, 1, 300].map((i) => macAddress("any-lab", n, i))),
    );
    for (const i of [0, 1, 300]) {
      expect(planned.has(snapshotMac(i))).toBe(false);
      // Unicast, locally administered (IEEE 802).
      expect(Number.parseInt(snapshotMac(i).slice(0, 2), 16) & 0b11).toBe(0b10);
    }
  });
});

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("how VMs start", () => {
  const saved = process.env.WIRELAB_VM_START;
  afterEach(() => {
    if (saved === undefined) delete process.env.WIRELAB_VM_START;
    else process.env.WIRELAB_VM_START = saved;
  });
  const vms = ["r1", "r3", "u1"].map(vm);

  it("restores VMs of wirelab's image unless the node or the environment says boot", () => {
    delete process.env.WIRELAB_VM_START;
    const c = startChoices(vms);
    expect(c.get("r1")).toEqual({ restore: true });
    expect(c.get("r3")).toEqual({ restore: false });
    expect(c.get("u1")).toEqual({ restore: false, why: "it runs its own image" });
    process.env.WIRELAB_VM_START = "boot";
    expect(startChoices(vms).get("r1")).toEqual({ restore: false });
    process.env.WIRELAB_VM_START = "snapshot";
    expect(startChoices(vms).get("r3")).toEqual({ restore: true });
    expect(startChoices(vms).get("u1")?.restore).toBe(false);
  });

  it("refuses an unknown WIRELAB_VM_START", () => {
    process.env.WIRELAB_VM_START = "fast";
    expect(() => startChoices(vms)).toThrow(
      /WIRELAB_VM_START is "fast"; it must be "boot" or "snapshot"/,
    );
  });
});

describe("the restore script", () => {
  it("reseeds and sets the clock first, writes the node's files exactly, then applies them", async () => {
    const files = await nodeFiles(vm("r1"), "127.0.0.1 localhost\n10.0.0.1 it's r1\n");
    const script = restoreScript(files, {
      seed: Buffer.alloc(64, 0xab),
      nowNs: 1_796_000_000_123_456_789n,
      macs: [{ from: snapshotMac(0), to: vm("r1").vm.managementMac }],
    });
    const lines = script.split("\n");
    expect(lines[0]).toBe("set -e");
    // The seed and the time go to the perl waiting in the guest (guest/restore-wait), first;
    // here a shell plays it, in a folder of the test's.
    const handoff = lines.slice(0, 5).join("\n");
    expect(handoff).toContain("/run/wirelab-restore/seed");
    const answer = (reply: string) => {
      const d = mkdtempSync(join(tmpdir(), "wirelab-restore-"));
      dirs.push(d);
      execFileSync("mkfifo", [join(d, "seed"), join(d, "seeded")]);
      const perl = `read -r l < ${d}/seed; printf '%s' "$l" > ${d}/got; echo '${reply}' > ${d}/seeded`;
      const run = spawnSync(
        "sh",
        ["-c", `sh -c "$1" & ${handoff.replaceAll("/run/wirelab-restore", d)}`, "sh", perl],
        { encoding: "utf8", timeout: 10_000 },
      );
      return { ...run, got: readFileSync(join(d, "got"), "utf8") };
    };
    const ok = answer("ok");
    expect(ok.status).toBe(0);
    expect(ok.got).toBe(`${"ab".repeat(64)} 1796000000 123456789`);
    const failed = answer("error clock_settime: Operation not permitted");
    expect(failed.status).toBe(1);
    expect(failed.stderr).toBe("error clock_settime: Operation not permitted\n");
    expect(script.trimEnd().split("\n").at(-1)).toBe("exec /bin/wirelab-identity");
    // The file writes, run by a POSIX shell into a folder of the test's.
    const root = mkdtempSync(join(tmpdir(), "wirelab-restore-"));
    dirs.push(root);
    const writes = script
      .split(/\n(?=printf )/)
      .filter((l) => l.startsWith("printf '%s' "))
      .map((l) => l.replace(/^(printf[\s\S]*> ')\//, `$1${root}/`).replace(/\nexec .*\n?$/, ""));
    execFileSync("sh", ["-ec", `mkdir -p ${root}/etc/wirelab\n${writes.join("\n")}`]);
    for (const [path, text] of Object.entries(files.files))
      expect(readFileSync(join(root, path), "utf8")).toBe(text);
    expect(readFileSync(join(root, "etc/wirelab/macs"), "utf8")).toBe(
      `${snapshotMac(0)} ${vm("r1").vm.managementMac}\n`,
    );
    expect(files.files["etc/wirelab/node.env"]).toContain("WL_FORWARDING=1");
    expect(files.files["etc/wirelab/node.batch"]?.split("\n").slice(0, 2)).toEqual([
      "link set eth0 up",
      "address add 10.0.2.15/24 dev eth0",
    ]);
  });
});

describe("removeStaleBuilds", () => {
  it("removes the build folders of wirelabs that are gone, and keeps running builds and snapshots", async () => {
    const root = mkdtempSync(join(tmpdir(), "wirelab-snapshots-"));
    dirs.push(root);
    const make = (name: string, owner?: number, ageMs = 0) => {
      const d = join(root, name);
      mkdirSync(d);
      writeFileSync(join(d, "ram"), "");
      if (owner !== undefined) writeFileSync(join(d, "owner"), `${owner}\n`);
      const t = (Date.now() - ageMs) / 1000;
      utimesSync(d, t, t);
      return d;
    };
    // A PID that is surely not running: a child that has exited.
    const gone = Number(execFileSync("sh", ["-c", "echo $$"], { encoding: "utf8" }));
    const dead = make("aaaa.build-1", gone);
    const mine = make("aaaa.build-2", process.pid);
    const running = make("aaaa.build-3", process.ppid);
    const oldUnowned = make("aaaa.build-4", undefined, 11 * 60_000);
    const newUnowned = make("aaaa.build-5");
    const snapshot = make("aaaa", gone, 24 * 3600_000);
    await removeStaleBuilds(root);
    expect([dead, mine, running, oldUnowned, newUnowned, snapshot].map(existsSync)).toEqual([
      false,
      true,
      true,
      false,
      true,
      true,
    ]);
  });
});
