import { spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readImage } from "../../src/image/build.js";
import { tsharkFields } from "../helpers.js";
import {
  captureOne,
  cli,
  labFile,
  leftovers,
  NOTHING_LEFT,
  sendRawFrame,
  stateDir,
  upWarnings,
  vmPid,
  waitFor,
} from "./lab-helpers.js";

describe("the six-router network as seven VMs (UDP tunnels, a LAN of VMs)", () => {
  const { file, lab } = labFile("examples/six-routers-vm.yml", "vm7");
  let upped: Awaited<ReturnType<typeof cli>>;
  beforeAll(async () => {
    upped = await cli(["up", file]);
  });
  afterAll(async () => {
    await cli(["down", file]);
    expect(leftovers(lab)).toEqual(NOTHING_LEFT);
  });

  it("boots seven VMs under TCG and waits for each", () => {
    const r = upped;
    expect(upWarnings(r.stderr)).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`lab ${lab} is up: 7 nodes, 6 links`);
    expect(leftovers(lab).qemu).toHaveLength(7);
  });

  it("carries h1 → h2 through rt1, rt2, rt4 over UDP tunnels (TTL drops by three)", async () => {
    const r = await cli([
      "exec",
      "--lab",
      lab,
      "h1",
      "--",
      "ping",
      "-c",
      "1",
      "-W",
      "3",
      "10.20.60.2",
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ttl=61/);
  });

  it("validates every declared test and neighbour inside the VMs", async () => {
    const r = await cli(["validate", file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`lab ${lab}: 21 passed, 0 failed`);
  });

  it("reports VM interfaces, addresses and state through the command agent", async () => {
    const [status] = JSON.parse((await cli(["status", "--lab", lab, "--json"])).stdout) as {
      nodes: {
        name: string;
        kind: string;
        interfaces: { ifname: string; state: string; addresses: string[] }[];
      }[];
    }[];
    const rt4 = status?.nodes.find((n) => n.name === "rt4");
    expect(rt4?.kind).toBe("vm");
    expect(rt4?.interfaces.map((i) => [i.ifname, i.state, i.addresses])).toEqual([
      ["eth1", "UP", ["10.20.40.1/24"]],
      ["eth2", "UP", ["10.20.50.1/24"]],
      ["eth3", "UP", ["10.20.60.1/24"]],
    ]);
  });

  it("returns a VM command's exit code", async () => {
    expect((await cli(["exec", "--lab", lab, "rt3", "--", "sh", "-c", "exit 9"])).code).toBe(9);
  });

  it("restarts one VM without touching its peers, and its links work again", async () => {
    const rt2 = vmPid(lab, "rt2");
    const rt1 = vmPid(lab, "rt1");
    const r = await cli(["restart", "--lab", lab, "rt2"]);
    expect(r.code).toBe(0);
    expect(vmPid(lab, "rt2")).not.toBe(rt2);
    expect(vmPid(lab, "rt1")).toBe(rt1);
    expect(
      (await cli(["exec", "--lab", lab, "h1", "--", "ping", "-c", "1", "-W", "3", "10.20.60.2"]))
        .code,
    ).toBe(0);
  });

  it("brings a VM whose QEMU died back with the next up; the ping recovers", async () => {
    process.kill(vmPid(lab, "rt4"), "SIGKILL");
    expect(
      (await cli(["exec", "--lab", lab, "h1", "--", "ping", "-c", "1", "-W", "1", "10.20.60.2"]))
        .code,
    ).not.toBe(0);
    const r = await cli(["up", file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("restarting rt4");
    expect(
      (await cli(["exec", "--lab", lab, "h1", "--", "ping", "-c", "1", "-W", "3", "10.20.60.2"]))
        .code,
    ).toBe(0);
  });

  it("goes down completely: no QEMU, tap, vEth or namespace left", async () => {
    const r = await cli(["down", file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("7 VMs stopped");
    expect(leftovers(lab)).toEqual(NOTHING_LEFT);
  });
});

describe("VM routers with namespace hosts (tap + tc mirred)", () => {
  const { file, lab } = labFile("examples/six-routers-mixed.yml", "mixed");
  beforeAll(async () => {
    const r = await cli(["up", file]);
    expect(upWarnings(r.stderr)).toBe("");
    expect(r.code).toBe(0);
  });
  afterAll(async () => {
    await cli(["down", file]);
    expect(leftovers(lab)).toEqual(NOTHING_LEFT);
  });

  it("routes between namespace hosts across VM routers", async () => {
    const r = await cli(["validate", file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`lab ${lab}: 21 passed, 0 failed`);
  });

  it("passes link-local control frames (LACP's 01:80:c2:00:00:02) from a namespace to the VM's tap", async () => {
    const plan = JSON.parse((await cli(["plan", "--json", file])).stdout) as {
      links: { name: string; endpoints: { node: string; tap?: string }[] }[];
    };
    const tap = plan.links.find((l) => l.name === "br6")?.endpoints.find((e) => e.node === "rt4")
      ?.tap as string;
    const { code, out } = await captureOne(
      ["tcpdump", "-n", "-e", "-l", "-c", "1", "-i", tap, "ether dst 01:80:c2:00:00:02"],
      () => sendRawFrame(`wl-${lab}-h2`, "eth1", "01:80:c2:00:00:02", 0x8809),
    );
    expect(code).toBe(0);
    expect(out).toMatch(/> 01:80:c2:00:00:02, ethertype Slow Protocols \(0x8809\)/);
  });

  it("goes down completely", async () => {
    expect((await cli(["down", file])).code).toBe(0);
    expect(leftovers(lab)).toEqual(NOTHING_LEFT);
  });
});

describe("a user's image (a virtual router): wired, never written", () => {
  const work = mkdtempSync(join(tmpdir(), "wl-userimg-"));
  let file = "";
  let lab = "";
  afterAll(async () => {
    if (file) await cli(["down", file]);
    expect(leftovers(lab)).toEqual(NOTHING_LEFT);
    rmSync(work, { recursive: true, force: true });
  });

  it("boots the user's disk with its own kernel and e1000 NICs, and refuses exec", async () => {
    const image = await readImage();
    expect(image?.kernel, "the guest image is built").toBeTypeOf("string");
    // A stand-in for a router image: a blank raw disk, booted by a kernel the user gives.
    writeFileSync(join(work, "router.img"), Buffer.alloc(1 << 20));
    copyFileSync(image?.kernel as string, join(work, "vmlinuz"));
    copyFileSync(image?.initrd as string, join(work, "initrd.gz"));
    const written = labFile(
      "nodes:\n  vr: { kind: vm, image: ROUTER, kernel: KERNEL, initrd: INITRD, nic: e1000 }\n  h1: {}\nlinks: [ h1-vr ]\n"
        .replace("ROUTER", join(work, "router.img"))
        .replace("KERNEL", join(work, "vmlinuz"))
        .replace("INITRD", join(work, "initrd.gz")),
      "uimg",
    );
    file = written.file;
    lab = written.lab;
    const before = readFileSync(join(work, "router.img"));
    expect((await cli(["up", file])).code).toBe(0);
    const cmdline = readFileSync(`/proc/${vmPid(lab, "vr")}/cmdline`, "utf8").split("\0");
    expect(cmdline).toContain(`file=${join(work, "router.img")},if=virtio,snapshot=on,format=raw`);
    expect(cmdline.filter((a) => a.startsWith("e1000,"))).toHaveLength(2);
    // Its console shows the user's system coming up.
    const log = join(stateDir(), "labs", lab, "vm", "vr.console.log");
    await waitFor(
      "the user's system to reach its shell",
      () => readFileSync(log, "utf8").includes("built-in shell"),
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    const exec = await cli(["exec", "--lab", lab, "vr", "--", "true"]);
    expect(exec.code).toBe(1);
    expect(exec.stderr).toContain("runs a user image");
    expect((await cli(["down", file])).code).toBe(0);
    expect(readFileSync(join(work, "router.img")).equals(before), "the image is unchanged").toBe(
      true,
    );
    expect(leftovers(lab)).toEqual(NOTHING_LEFT);
  });
});

describe("a UDP tunnel carries link-local control frames into the VM", () => {
  const { file, lab } = labFile(
    "name: x\ndefaults: { kind: vm }\nnodes: [r1, r2]\nlinks: [ r1-r2 ]\n",
    "udpll",
  );
  beforeAll(async () => {
    const r = await cli(["up", file]);
    expect(upWarnings(r.stderr)).toBe("");
    expect(r.code).toBe(0);
  });
  afterAll(async () => {
    await cli(["down", file]);
    expect(leftovers(lab)).toEqual(NOTHING_LEFT);
  });

  it("delivers LLDP frames (01:80:c2:00:00:0e) sent into r2's tunnel port", async () => {
    // virtio-net drops multicast the guest did not join; promiscuous mode shows every frame the wire brings.
    expect(
      (await cli(["exec", "--lab", lab, "r2", "--", "ip", "link", "set", "eth1", "promisc", "on"]))
        .code,
    ).toBe(0);
    const rx = async () =>
      Number(
        (
          await cli([
            "exec",
            "--lab",
            lab,
            "r2",
            "--",
            "cat",
            "/sys/class/net/eth1/statistics/rx_packets",
          ])
        ).stdout.trim(),
      );
    const before = await rx();
    const state = JSON.parse(readFileSync(join(stateDir(), "labs", lab, "state.json"), "utf8")) as {
      ports: { udp: Record<string, number> };
    };
    const port = state.ports.udp["r1-r2:r2:eth1"] as number;
    const lldp = Buffer.concat([
      Buffer.from("0180c200000e02000000000188cc", "hex"),
      Buffer.alloc(46),
    ]);
    // 100 frames, so that the few frames r1 sends on its own cannot pass for them.
    const sock = createSocket("udp4");
    for (let i = 0; i < 100; i++) {
      await new Promise<void>((resolve, reject) =>
        sock.send(lldp, port, "127.0.0.1", (e) => (e ? reject(e) : resolve())),
      );
    }
    sock.close();
    await waitFor("100 frames received by r2", async () => (await rx()) - before >= 100, {
      intervalMs: 200,
    });
  });

  it("captures the tunnel live, decapsulated, filtered inside, with the VMs' MACs and directions (tshark)", async () => {
    const plan = JSON.parse((await cli(["plan", "--json", file])).stdout) as {
      nodes: { name: string; interfaces: { mac: string }[] }[];
    };
    const mac = (n: string) => plan.nodes.find((x) => x.name === n)?.interfaces[0]?.mac;
    const out = join(stateDir(), `${lab}-capture.pcapng`);
    const capture = spawn(
      process.execPath,
      ["dist/cli/bin.js", "capture", "--lab", lab, "r2", "eth1", "-c", "2", "-w", out, "icmp"],
      {
        env: { ...process.env, WIRELAB_STATE_DIR: stateDir() },
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    // Listened for before the ping: the capture may end while the ping's own process does.
    const exited = new Promise((resolve) => capture.on("exit", resolve));
    await new Promise<void>((resolve) =>
      capture.stderr.on("data", (d: Buffer) => d.toString().includes("capturing") && resolve()),
    );
    expect(
      (await cli(["exec", "--lab", lab, "r1", "--", "ping", "-c", "1", "-W", "3", "10.1.0.2"]))
        .code,
    ).toBe(0);
    expect(await exited).toBe(0);
    const lines = tsharkFields(out, [
      "frame.interface_name",
      "frame.packet_flags_direction",
      "eth.src",
      "icmp.type",
    ]);
    expect(lines).toEqual([
      `r2:eth1\t0x00000001\t${mac("r1")}\t8`,
      `r2:eth1\t0x00000002\t${mac("r2")}\t0`,
    ]);
  });
});
