/**
 * `wirelab capture` on every link type, read back by tshark: ARP, ICMP and
 * LLDP between two VMs (lldpd on both, from the guest's tools disk) on a
 * QEMU UDP tunnel, a VM↔VM tap link and a LAN; ARP, ICMP and LLDP between a
 * VM and a namespace (tap + tc mirred) and between two namespaces (vEth).
 * Each capture runs until Ctrl-C (SIGINT), which must flush every frame.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LabPlan } from "../../src/plan/types.js";
import { tsharkFields } from "../helpers.js";
import {
  addressOn,
  cli,
  interfaceOn,
  labFile,
  leftovers,
  lldpdu,
  NOTHING_LEFT,
  sendRawFrame,
  stateDir,
  upWarnings,
  waitFor,
} from "./lab-helpers.js";

const TOPOLOGY = `
nodes:
  v1: { kind: vm }
  v2: { kind: vm }
  n1: {}
  n2: {}
links:
  - { v1: {}, v2: {}, name: tun }
  - { v1: {}, v2: {}, name: tapvv, transport: tap }
  - { v1: {}, n1: {}, name: vn }
  - { v1: {}, v2: {}, n2: {}, name: lan }
  - { n1: {}, n2: {}, name: veth }
`;

/** A running `wirelab capture … -w FILE`, stopped with SIGINT. */
interface Capture {
  readonly file: string;
  readonly proc: ChildProcess;
  readonly exit: Promise<number | null>;
}

async function startCapture(
  lab: string,
  name: string,
  target: readonly string[],
): Promise<Capture> {
  const file = join(stateDir(), `${lab}-${name}.pcapng`);
  rmSync(file, { force: true });
  const proc = spawn(
    process.execPath,
    ["dist/cli/bin.js", "capture", "--lab", lab, ...target, "-w", file],
    { env: { ...process.env, WIRELAB_STATE_DIR: stateDir() }, stdio: ["ignore", "ignore", "pipe"] },
  );
  const exit = new Promise<number | null>((resolve) => proc.on("exit", resolve));
  let stderr = "";
  await new Promise<void>((resolve, reject) => {
    proc.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes("capturing")) resolve();
    });
    void exit.then(() => reject(new Error(`capture ${name} ended early: ${stderr}`)));
  });
  return { file, proc, exit };
}

/** One decoded frame: source MAC, direction (pcapng epb_flags: 1 in, 2 out, 0 unknown), protocol, detail. */
interface Seen {
  readonly src: string;
  readonly dir: number;
  readonly proto: "arp" | "icmp" | "lldp" | "other";
  readonly detail: string;
}

function decode(file: string): Seen[] {
  return tsharkFields(file, [
    "eth.src",
    "frame.packet_flags_direction",
    "arp.opcode",
    "icmp.type",
    "lldp.tlv.system.name",
  ])
    .filter((l) => l !== "")
    .map((l) => {
      const [src = "", dir = "", arp = "", icmp = "", lldp = ""] = l.split("\t");
      const proto = arp ? "arp" : icmp ? "icmp" : lldp ? "lldp" : "other";
      return { src, dir: Number(dir), proto, detail: arp || icmp || lldp };
    });
}

describe("capture on every link type, decoded by tshark", () => {
  const { file, lab } = labFile(TOPOLOGY, "cap");
  let plan: LabPlan;
  const iface = (node: string, link: string) => interfaceOn(plan, node, link);
  const addr = (node: string, link: string) => addressOn(plan, node, link);
  const results = new Map<string, Seen[]>();

  beforeAll(async () => {
    const up = await cli(["up", file]);
    expect(upWarnings(up.stderr)).toBe("");
    plan = JSON.parse((await cli(["plan", "--json", file])).stdout) as LabPlan;
    const captures = new Map<string, Capture>([
      ["tun", await startCapture(lab, "tun", ["v1", iface("v1", "tun").ifname])],
      ["tapvv", await startCapture(lab, "tapvv", ["v2", iface("v2", "tapvv").ifname])],
      ["vn", await startCapture(lab, "vn", ["v1", iface("v1", "vn").ifname])],
      ["lan", await startCapture(lab, "lan", ["--link", "lan"])],
      ["veth", await startCapture(lab, "veth", ["n2", iface("n2", "veth").ifname])],
    ]);
    // LLDP: lldpd in both VMs sends on every lab interface as it starts.
    for (const vm of ["v1", "v2"]) {
      expect((await cli(["exec", "--lab", lab, vm, "--", "lldpd", "-I", "eth*,!eth0"])).code).toBe(
        0,
      );
    }
    sendRawFrame(
      `wl-${lab}-n1`,
      iface("n1", "veth").ifname,
      "01:80:c2:00:00:0e",
      0x88cc,
      lldpdu(iface("n1", "veth").mac, iface("n1", "veth").ifname, "n1"),
    );
    // ARP then ICMP on each link: the first ping of a fresh neighbour resolves it.
    const pings: [string, string, string][] = [
      ["v1", "v2", "tun"],
      ["v1", "v2", "tapvv"],
      ["v1", "n1", "vn"],
      ["v2", "v1", "lan"],
      ["n1", "n2", "veth"],
    ];
    for (const [from, to, link] of pings) {
      const r = await cli([
        "exec",
        "--lab",
        lab,
        from,
        "--",
        "ping",
        "-c",
        "2",
        "-W",
        "3",
        addr(to, link),
      ]);
      expect(r.code, `${from} → ${to} on ${link}: ${r.stderr}`).toBe(0);
    }
    // lldpd sends its first LLDPDU soon after it starts: wait until every capture has the ones it should.
    const lldpFrom: Record<string, string[]> = {
      tun: ["v1", "v2"],
      tapvv: ["v1", "v2"],
      vn: ["v1"],
      lan: ["v1", "v2"],
      veth: ["n1"],
    };
    const hasLldp = (name: string) => {
      try {
        const seen = decode((captures.get(name) as Capture).file);
        return (lldpFrom[name] ?? []).every((n) =>
          seen.some((f) => f.proto === "lldp" && f.detail === n),
        );
      } catch {
        return false; // a block still being written
      }
    };
    await waitFor("LLDP in every capture", () => Object.keys(lldpFrom).every(hasLldp), {
      timeoutMs: 30_000,
      intervalMs: 250,
    });
    for (const [name, c] of captures) {
      c.proc.kill("SIGINT");
      expect(await c.exit, `capture ${name} exit code`).toBe(0);
      results.set(name, decode(c.file));
    }
  }, 180_000);

  afterAll(async () => {
    await cli(["down", file]);
    expect(leftovers(lab)).toEqual(NOTHING_LEFT);
  });

  const expectDecoded = (link: string, a: string, b: string, opts: { lldpFrom: string[] }) => {
    const seen = results.get(link) ?? [];
    const macA = iface(a, link).mac;
    const macB = iface(b, link).mac;
    // ARP request from the pinger, reply from the peer; ICMP echo (8) and reply (0).
    expect(seen).toContainEqual(expect.objectContaining({ src: macA, proto: "arp", detail: "1" }));
    expect(seen).toContainEqual(expect.objectContaining({ src: macB, proto: "arp", detail: "2" }));
    expect(seen).toContainEqual(expect.objectContaining({ src: macA, proto: "icmp", detail: "8" }));
    expect(seen).toContainEqual(expect.objectContaining({ src: macB, proto: "icmp", detail: "0" }));
    for (const node of opts.lldpFrom) {
      expect(seen).toContainEqual(
        expect.objectContaining({ src: iface(node, link).mac, proto: "lldp", detail: node }),
      );
    }
  };

  it("UDP tunnel between two VMs: ARP, ICMP and both lldpd, with the VMs' MACs and directions", () => {
    expectDecoded("tun", "v1", "v2", { lldpFrom: ["v1", "v2"] });
    const seen = results.get("tun") ?? [];
    // Captured at v1: what v1 sent is outbound (2), what v2 sent inbound (1).
    for (const s of seen) expect(s.dir).toBe(s.src === iface("v1", "tun").mac ? 2 : 1);
  });

  it("tap link between two VMs", () => {
    expectDecoded("tapvv", "v1", "v2", { lldpFrom: ["v1", "v2"] });
    const seen = results.get("tapvv") ?? [];
    for (const s of seen) expect(s.dir).toBe(s.src === iface("v2", "tapvv").mac ? 2 : 1);
  });

  it("tap + tc between a VM and a namespace", () => {
    expectDecoded("vn", "v1", "n1", { lldpFrom: ["v1"] });
  });

  it("LAN of two VMs and a namespace, on its bridge", () => {
    expectDecoded("lan", "v2", "v1", { lldpFrom: ["v1", "v2"] });
  });

  it("vEth between two namespaces", () => {
    expectDecoded("veth", "n1", "n2", { lldpFrom: ["n1"] });
  });
});
