/**
 * `up` of an edited topology on a lab of VM routers and namespace hosts:
 * kept VMs keep their QEMU (routes changed through their agents), a VM
 * whose NICs change starts again alone, and a namespace host rebuilt next
 * to a VM (its exec lines changed) gets its tap link back: the VM's tap
 * filters must point at the host end made with it (what containerlab's
 * first `deploy` that converged got wrong: peers' tc mirred left pointing
 * at a deleted interface).
 */
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { cli, inNs, labFile, leftovers, NOTHING_LEFT, vmPid } from "./lab-helpers.js";

const { file, lab } = labFile("examples/six-routers-mixed.yml", "apvm");
const inode = (node: string) => statSync(`/run/netns/wl-${lab}-${node}`).ino;
const original = parse(readFileSync(file, "utf8")) as {
  nodes: Record<string, Record<string, unknown> & { routes?: { prefix: string; via: string }[] }>;
  links: Record<string, unknown>[];
  validate: Record<string, unknown>;
};

describe("up applies an edited topology to a lab of VMs and namespaces", () => {
  let pids: Map<string, number>;
  beforeAll(async () => {
    const r = await cli(["up", file]);
    expect(r.code, r.stderr).toBe(0);
    pids = new Map(["rt1", "rt2", "rt3", "rt4"].map((n) => [n, vmPid(lab, n)]));
  });
  afterAll(async () => {
    await cli(["down", "--lab", lab]);
    expect(leftovers(lab)).toEqual(NOTHING_LEFT);
  });

  it("adds a host on a VM, rebuilds a host on a tap link, changes a VM's routes in place", async () => {
    const h1 = inode("h1");
    // A mark in h2's namespace: a new namespace has the default (its inode number may be reused).
    const ttl = (v?: number) =>
      inNs(`wl-${lab}-h2`, [
        "sysctl",
        "-n",
        ...(v ? ["-w", `net.ipv4.ip_default_ttl=${v}`] : ["net.ipv4.ip_default_ttl"]),
      ]).stdout.trim();
    ttl(33);
    expect(ttl()).toBe("33");
    const t = structuredClone(original);
    t.nodes.h2 = { ...t.nodes.h2, exec: ["sysctl -qw net.ipv6.conf.all.disable_ipv6=1"] };
    t.nodes.h3 = { kind: "linux", routes: [{ prefix: "default", via: "10.20.70.1" }] };
    t.nodes.rt1?.routes?.push({ prefix: "10.20.70.0/24", via: "10.20.30.2" });
    t.links.push({ name: "br7", rt3: { ipv4: "10.20.70.1/24" }, h3: { ipv4: "10.20.70.2/24" } });
    t.validate["h1-to-h3"] = { from: "h1", ping: "10.20.70.2" };
    writeFileSync(file, stringify(t));
    const r = await cli(["up", file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("! node h2: rebuilt");
    expect(r.stdout).toContain("! node rt3: rebuilt, its NICs changed");
    // rt1's route went in through its agent; rt2 and rt4 were not touched.
    for (const n of ["rt1", "rt2", "rt4"]) expect(vmPid(lab, n), n).toBe(pids.get(n));
    expect(vmPid(lab, "rt3")).not.toBe(pids.get("rt3"));
    expect(inode("h1")).toBe(h1);
    expect(ttl()).toBe("64");
    // h2 reaches rt4 over rt4's tap: its filter points at h2's new host end.
    const v = await cli(["validate", "--lab", lab]);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toContain("h1-to-h3");
    expect(v.stdout).toContain("h2-to-h1");
  });

  it("removes the host again: rt3 starts again with its NICs as before, the rest stays", async () => {
    const now = new Map(["rt1", "rt2", "rt4"].map((n) => [n, vmPid(lab, n)]));
    writeFileSync(file, stringify(original));
    const r = await cli(["up", file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("- node h3");
    for (const n of ["rt1", "rt2", "rt4"]) expect(vmPid(lab, n), n).toBe(now.get(n));
    const v = await cli(["validate", "--lab", lab]);
    expect(v.code, v.stdout + v.stderr).toBe(0);
  });
});
