import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultImageDir } from "../../src/image/build.js";
import { planOfFile } from "../helpers.js";
import { cli, labFile, leftovers, NOTHING_LEFT, vmPid } from "./lab-helpers.js";

const TOPOLOGY = `
defaults: { kind: vm }
nodes:
  a: { forwarding: true }
  b: {}
links:
  - a: { ipv4: 10.77.1.1/24, ipv6: "2001:db8:77::1/64" }
    b: { ipv4: 10.77.1.2/24, ipv6: "2001:db8:77::2/64" }
    transport: tap
`;

/** The argv of a VM's QEMU (how it started: `-incoming` when restored). */
function qemuArgv(lab: string, node: string): string[] {
  return readFileSync(`/proc/${vmPid(lab, node)}/cmdline`, "utf8").split("\0");
}

describe("VMs started from a snapshot of their shape", () => {
  const { file, lab } = labFile(TOPOLOGY, "snap");
  // An image folder of this file's own (the image's files linked): its snapshots, one of which
  // is spoilt on purpose, are no other test's.
  const imageDir = mkdtempSync(join(tmpdir(), "wirelab-snapshot-test-"));
  const env = { WIRELAB_IMAGE_DIR: imageDir, WIRELAB_VM_START: "" };
  const snapshots = () => join(imageDir, "snapshots");
  const exec = async (node: string, ...argv: string[]) => {
    const r = await cli(["exec", "--lab", lab, node, "--", ...argv], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    return r.stdout.trim();
  };
  let first: Awaited<ReturnType<typeof cli>>;
  beforeAll(async () => {
    for (const f of ["vmlinuz", "initrd.gz", "tools.img", "manifest.json"])
      symlinkSync(join(defaultImageDir(), f), join(imageDir, f));
    first = await cli(["up", file], env);
  });
  afterAll(async () => {
    await cli(["down", file], env);
    rmSync(imageDir, { recursive: true, force: true });
    expect(leftovers(lab)).toEqual(NOTHING_LEFT);
  });

  it("makes the shape's snapshot once, then restores both VMs from it", async () => {
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/making the snapshot for VMs of 96 MiB, 1 CPU, 1 NIC/);
    expect(first.stderr.match(/making the snapshot/g)).toHaveLength(1);
    expect(readdirSync(snapshots()).filter((n) => /^[0-9a-f]+$/.test(n))).toHaveLength(1);
    for (const n of ["a", "b"]) expect(qemuArgv(lab, n)).toContain("-incoming");
  });

  it("gives each restored VM its own MACs, hostname, addresses, boot ID and random numbers", async () => {
    const plan = planOfFile(file);
    const seen = new Map<string, { boot: string; uuids: string[] }>();
    for (const name of ["a", "b"]) {
      const node = plan.nodes.find((n) => n.name === name);
      const mac = node?.interfaces[0]?.mac;
      expect(await exec(name, "cat", "/sys/class/net/eth1/address")).toBe(mac);
      expect(await exec(name, "hostname")).toBe(name);
      expect(await exec(name, "ip", "-br", "address", "show", "eth1")).toMatch(
        new RegExp(`${node?.interfaces[0]?.ipv4?.replace(/\./g, "\\.")}.*2001:db8:77::`),
      );
      const boot = await exec(name, "cat", "/proc/sys/kernel/random/boot_id");
      const uuids = (
        await exec(name, "sh", "-c", "for i in 1 2 3; do cat /proc/sys/kernel/random/uuid; done")
      ).split("\n");
      seen.set(name, { boot, uuids });
    }
    expect(seen.get("a")?.boot).not.toBe(seen.get("b")?.boot);
    const all = [...seen.values()].flatMap((s) => s.uuids);
    expect(new Set(all).size).toBe(6);
    expect(await exec("a", "cat", "/proc/sys/net/ipv4/ip_forward")).toBe("1");
    expect(await exec("b", "cat", "/proc/sys/net/ipv4/ip_forward")).toBe("0");
    // Both families across the link.
    expect(await exec("a", "ping", "-c", "1", "-W", "3", "10.77.1.2")).toMatch(/1 received/);
    expect(await exec("a", "ping", "-c", "1", "-W", "3", "2001:db8:77::2")).toMatch(/1 received/);
  });

  it("negotiates a tap NIC's offloads, which the snapshot's NIC had not", async () => {
    // The device's feature bits, bit i at position i (virtio spec 5.1.3: 0 CSUM, 7 GUEST_TSO4).
    for (const n of ["a", "b"]) {
      const features = await exec(n, "cat", "/sys/class/net/eth1/device/features");
      expect([features[0], features[7]]).toEqual(["1", "1"]);
    }
  });

  it("sets the guest's clock from the host's", async () => {
    const guest = Number(await exec("b", "date", "+%s"));
    expect(Math.abs(guest - Date.now() / 1000)).toBeLessThan(3);
  });

  it("restores a restarted node from the snapshot, with its identity", async () => {
    const before = await exec("b", "cat", "/proc/sys/kernel/random/boot_id");
    const r = await cli(["restart", "--lab", lab, "b"], env);
    expect(r.code).toBe(0);
    expect(qemuArgv(lab, "b")).toContain("-incoming");
    expect(await exec("b", "hostname")).toBe("b");
    expect(await exec("b", "cat", "/proc/sys/kernel/random/boot_id")).not.toBe(before);
    expect(await exec("b", "ping", "-c", "1", "-W", "3", "10.77.1.1")).toMatch(/1 received/);
  });

  it("boots a VM that cannot load its snapshot, says why once, and makes the snapshot again", async () => {
    expect((await cli(["down", file], env)).code).toBe(0);
    const [key] = readdirSync(snapshots()).filter((n) => /^[0-9a-f]+$/.test(n));
    const dir = join(snapshots(), key ?? "");
    const made = JSON.parse(readFileSync(join(dir, "shape.json"), "utf8")).created as string;
    // A state cut in half: QEMU stops reading it halfway.
    truncateSync(join(dir, "state"), 4096);
    const r = await cli(["up", file], env);
    expect(r.code).toBe(0);
    const said = r.stderr.split("\n").filter((l) => /could not be loaded/.test(l));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(
      /booted a, b \(not from a snapshot: its snapshot \w+ could not be loaded \(QEMU: .+\); it is made again\)/,
    );
    for (const n of ["a", "b"]) expect(qemuArgv(lab, n)).not.toContain("-incoming");
    expect(await exec("a", "ping", "-c", "1", "-W", "3", "10.77.1.2")).toMatch(/1 received/);
    const again = JSON.parse(readFileSync(join(dir, "shape.json"), "utf8")).created as string;
    expect(again > made).toBe(true);
    // And the next start uses it.
    expect((await cli(["restart", "--lab", lab, "a"], env)).code).toBe(0);
    expect(qemuArgv(lab, "a")).toContain("-incoming");
  });

  it("boots when WIRELAB_VM_START=boot", async () => {
    const r = await cli(["restart", "--lab", lab, "a"], { ...env, WIRELAB_VM_START: "boot" });
    expect(r.code).toBe(0);
    expect(qemuArgv(lab, "a")).not.toContain("-incoming");
    expect(await exec("a", "hostname")).toBe("a");
  });
});
