/**
 * `wirelab stop NODE` / `start NODE`: the node stops with its wires parked,
 * its p2p peers see carrier down, `status` shows it stopped, `start` brings
 * it back with the same identity, and a whole-lab `up` starts stopped
 * nodes. On six-routers (namespaces) and on a lab of two VMs and a
 * namespace host (UDP tunnel and tap).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LabPlan } from "../../src/plan/types.js";
import {
  cli,
  cliSync,
  inNs,
  interfaceOn,
  labFile,
  leftovers,
  NOTHING_LEFT,
  pingFrom,
  vmPid,
  waitFor,
} from "./lab-helpers.js";

/** The carrier of a namespace interface, as /sys/class/net says at once ("1", "0"). */
const carrier = (ns: string, ifname: string) =>
  inNs(ns, ["cat", `/sys/class/net/${ifname}/carrier`]).stdout.trim();

describe("stop and start namespace nodes", () => {
  const { file, lab } = labFile("examples/six-routers.yml", "stopns");
  let plan: LabPlan;
  const ns = (node: string) => `wl-${lab}-${node}`;

  beforeAll(async () => {
    expect((await cli(["up", file])).code).toBe(0);
    plan = JSON.parse(cliSync(["plan", "--json", file]).stdout) as LabPlan;
  }, 60_000);

  afterAll(async () => {
    await cli(["down", "--lab", lab]);
    expect(leftovers(lab)).toEqual(NOTHING_LEFT);
  });

  it("stops rt2: its vEth peers lose carrier, status says stopped, traffic through it stops", async () => {
    const rt1 = interfaceOn(plan, "rt1", "br2").ifname;
    expect(carrier(ns("rt1"), rt1)).toBe("1");
    const r = await cli(["stop", "--lab", lab, "rt2"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^rt2 stopped in/);
    expect(carrier(ns("rt1"), rt1)).toBe("0");
    expect(carrier(ns("rt4"), interfaceOn(plan, "rt4", "br4").ifname)).toBe("0");
    const status = cliSync(["status", "--lab", lab]).stdout;
    expect(status).toContain("rt2 (stopped)");
    expect(status).not.toContain("MISSING");
    expect(JSON.parse(cliSync(["status", "--lab", lab, "--json"]).stdout)[0].nodes).toContainEqual(
      expect.objectContaining({ name: "rt2", stopped: true }),
    );
    expect((await pingFrom(lab, "h1", "10.20.60.2")).code).not.toBe(0);
    expect(cliSync(["stop", "--lab", lab, "rt2"]).stdout).toContain("rt2 was stopped already");
  }, 30_000);

  it("starts rt2 again with the same MACs and addresses; validate passes", async () => {
    const r = await cli(["start", "--lab", lab, "rt2"]);
    expect(r.code).toBe(0);
    expect(carrier(ns("rt1"), interfaceOn(plan, "rt1", "br2").ifname)).toBe("1");
    const live = JSON.parse(cliSync(["status", "--lab", lab, "--json"]).stdout)[0].nodes.find(
      (n: { name: string }) => n.name === "rt2",
    );
    expect(live.stopped).toBe(false);
    for (const i of plan.nodes.find((n) => n.name === "rt2")?.interfaces ?? []) {
      const got = live.interfaces.find((x: { ifname: string }) => x.ifname === i.ifname);
      expect(got.mac).toBe(i.mac);
      expect(got.addresses).toEqual([i.ipv4]);
    }
    expect((await cli(["validate", file])).code).toBe(0);
  }, 60_000);

  it("a whole-lab up starts a stopped node", async () => {
    expect((await cli(["stop", "--lab", lab, "rt4"])).code).toBe(0);
    const r = await cli(["up", file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("started rt4");
    expect(cliSync(["status", "--lab", lab]).stdout).not.toContain("(stopped)");
    expect((await pingFrom(lab, "h1", "10.20.60.2")).code).toBe(0);
  }, 60_000);
});

describe("stop and start a VM", () => {
  const TOPOLOGY = [
    "defaults: { kind: vm }",
    "nodes: { a: {}, b: {}, h: { kind: linux } }",
    "links:",
    "  - { name: ab, a: { ipv4: 10.65.1.1/24 }, b: { ipv4: 10.65.1.2/24 } }",
    "  - { name: bh, b: { ipv4: 10.65.2.1/24 }, h: { ipv4: 10.65.2.2/24 } }",
    "",
  ].join("\n");
  const { file, lab } = labFile(TOPOLOGY, "stopvm");
  const vmCarrier = (node: string, ifname: string) =>
    cliSync([
      "exec",
      "--lab",
      lab,
      node,
      "--",
      "cat",
      `/sys/class/net/${ifname}/carrier`,
    ]).stdout.trim();

  beforeAll(async () => {
    expect((await cli(["up", file])).code).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await cli(["down", "--lab", lab]);
    expect(leftovers(lab)).toEqual(NOTHING_LEFT);
  });

  it("stops b's QEMU: a's tunnel NIC and h's tap-side interface lose carrier; start brings b back", async () => {
    const pid = vmPid(lab, "b");
    expect((await cli(["stop", "--lab", lab, "b"])).code).toBe(0);
    await waitFor("b's QEMU to end", () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    });
    expect(vmCarrier("a", "eth1")).toBe("0");
    expect(carrier(`wl-${lab}-h`, "eth1")).toBe("0");
    expect(cliSync(["status", "--lab", lab]).stdout).toContain("b (stopped)");
    const r = await cli(["start", "--lab", lab, "b"]);
    expect(r.code).toBe(0);
    expect(vmCarrier("a", "eth1")).toBe("1");
    expect(carrier(`wl-${lab}-h`, "eth1")).toBe("1");
    expect((await pingFrom(lab, "a", "10.65.1.2", 5)).code).toBe(0);
    expect((await pingFrom(lab, "h", "10.65.2.1", 5)).code).toBe(0);
  }, 120_000);
});
