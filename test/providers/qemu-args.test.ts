import { describe, expect, it } from "vitest";
import type { VmNodePlan } from "../../src/plan/types.js";
import { qemuArgs } from "../../src/providers/qemu/args.js";
import { plan } from "../helpers.js";

const launch = {
  accel: "tcg" as const,
  kernel: "/img/vmlinuz",
  initrd: "/lab/vm/r1.initrd",
  files: {
    agent: "/lab/vm/r1.cmd",
    console: "/lab/vm/r1.console",
    consoleLog: "/lab/vm/r1.console.log",
    pidfile: "/lab/vm/r1.pid",
    log: "/lab/vm/r1.log",
  },
  ports: {
    udp: { "r1-r2:r1:eth1": 20001, "r1-r2:r2:eth1": 20002 },
    tcp: { "ssh:r1": 20010, "ssh:r2": 20011 },
  },
  nicSocket: (i: number) => `/lab/vm/r1.n${i}.sock`,
};

/** The value after each occurrence of `flag`. */
const values = (args: string[], flag: string) =>
  args.flatMap((a, i) => (a === flag ? [args[i + 1] as string] : []));

describe("QEMU command line", () => {
  const p = plan(
    "name: x\ndefaults: { kind: vm }\nnodes:\n  r1: {}\n  r2: {}\n  h1: { kind: linux }\nlinks: [ r1-r2, { r1: {}, h1: {}, transport: tap } ]\n",
  );
  const r1 = p.nodes.find((n) => n.name === "r1") as VmNodePlan;
  const args = qemuArgs(p, r1 as never, launch);

  it("names the process after lab and node, and runs TCG with a small translation cache", () => {
    expect(values(args, "-name")).toEqual(["wl-x-r1"]);
    expect(values(args, "-accel")).toEqual(["tcg,tb-size=32"]);
    expect(values(args, "-m")).toEqual(["96"]);
  });

  it("joins a UDP tunnel: listen on its own port, send to the peer's", () => {
    expect(values(args, "-netdev")).toContain(
      "socket,id=n1,udp=127.0.0.1:20002,localaddr=127.0.0.1:20001",
    );
  });

  it("opens the VM's tap for a tap link, and puts management on restricted user networking", () => {
    const tap = p.links[1]?.endpoints.find((e) => e.node === "r1") as unknown as { tap: string };
    expect(values(args, "-netdev")).toContain(
      `tap,id=n2,ifname=${tap.tap},script=no,downscript=no`,
    );
    expect(values(args, "-netdev")[0]).toBe(
      "user,id=mgmt,restrict=on,hostfwd=tcp:127.0.0.1:20010-:22",
    );
  });

  it("attaches the tools disk read-only, found by its serial, only when there is one", () => {
    const withTools = qemuArgs(p, r1 as never, { ...launch, tools: "/img/tools.img" });
    expect(values(withTools, "-drive")).toEqual([
      "file=/img/tools.img,if=none,id=tools,format=raw,readonly=on",
    ]);
    expect(values(withTools, "-device")).toContain(
      "virtio-blk-pci,drive=tools,serial=wirelab-tools",
    );
    expect(values(args, "-drive")).toEqual([]);
  });

  it("gives every NIC the plan's MAC", () => {
    const macs = values(args, "-device").filter((d) => d.startsWith("virtio-net-pci"));
    expect(macs).toEqual([
      `virtio-net-pci,netdev=mgmt,mac=${r1.vm.managementMac}`,
      `virtio-net-pci,netdev=n1,mac=${r1?.interfaces[0]?.mac},speed=10000,duplex=full`,
      `virtio-net-pci,netdev=n2,mac=${r1?.interfaces[1]?.mac},speed=10000,duplex=full`,
    ]);
  });

  it("boots a user image from its disk, never writing it, with e1000 NICs", () => {
    const u = plan(
      "name: x\nnodes:\n  r1: { kind: vm, image: /images/vrouter.qcow2, nic: e1000 }\n  r2: { kind: vm }\nlinks: [ r1-r2 ]\n",
    );
    const a = qemuArgs(u, u.nodes[0] as never, launch);
    expect(values(a, "-drive")).toEqual([
      "file=/images/vrouter.qcow2,if=virtio,snapshot=on,format=qcow2",
    ]);
    expect(a).not.toContain("-kernel");
    expect(values(a, "-device").filter((d) => d.startsWith("e1000"))).toHaveLength(2);
  });
});

describe("user paths in QEMU option strings", () => {
  /** Splits an option string at its single commas (a doubled comma is part of a value). */
  const options = (s: string) => s.split(/(?<!,),(?!,)/).map((o) => o.replaceAll(",,", ","));

  it("double every comma, so a path stays one value and cannot add options", () => {
    const p = plan(
      "name: x\nnodes:\n  r1: { kind: vm, image: '/images/a,b.img,if=none,file=/etc/shadow' }\n  r2: { kind: vm }\nlinks: [ r1-r2, { r1: {}, r2: {}, relay: true } ]\n",
    );
    const r1 = p.nodes.find((n) => n.name === "r1") as VmNodePlan;
    const dir = "/state,with,commas/labs/x/vm";
    const args = qemuArgs(p, r1 as never, {
      ...launch,
      files: {
        agent: `${dir}/r1.cmd`,
        console: `${dir}/r1.console`,
        consoleLog: `${dir}/r1.console.log`,
        pidfile: `${dir}/r1.pid`,
        log: `${dir}/r1.log`,
        qmp: `${dir}/r1.qmp`,
      },
      nicSocket: (i: number) => `${dir}/r1.n${i}.sock`,
    });
    expect(options(values(args, "-drive")[0] as string)).toEqual([
      "file=/images/a,b.img,if=none,file=/etc/shadow",
      "if=virtio",
      "snapshot=on",
    ]);
    const chardevs = values(args, "-chardev").map(options);
    expect(chardevs[0]).toContain(`path=${dir}/r1.console`);
    expect(chardevs[0]).toContain(`logfile=${dir}/r1.console.log`);
    expect(chardevs[1]).toContain(`path=${dir}/r1.cmd`);
    expect(options(values(args, "-qmp")[0] as string)).toEqual([
      `unix:${dir}/r1.qmp`,
      "server=on",
      "wait=off",
    ]);
    expect(values(args, "-netdev").map(options).at(-1)).toContain(`addr.path=${dir}/r1.n2.sock`);
  });
});
