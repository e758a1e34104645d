/**
 * Routers in namespace nodes: FRR from the host's package, each router with
 * its own /etc/frr, /run/frr and log, configured by the user's frr.conf.
 * OSPF and BGP between them, reachability that exists only through the
 * routing protocol, a killed daemon seen and put back, bad router files
 * refused before anything is built, and nothing left after down.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cli,
  labFile,
  leftovers,
  NOTHING_LEFT,
  namespaces,
  pingFrom,
  stateDir,
  TEST_PREFIX,
  waitFor,
} from "./lab-helpers.js";

/** OSPF's adjacencies of a router that are Full (FRR's `show ip ospf neighbor json`). */
async function fullNeighbours(lab: string, node: string): Promise<string[]> {
  const r = await cli([
    "exec",
    "--lab",
    lab,
    node,
    "--",
    "vtysh",
    "-c",
    "show ip ospf neighbor json",
  ]);
  if (r.code !== 0) return [];
  const json = JSON.parse(r.stdout) as { neighbors?: Record<string, { nbrState?: string }[]> };
  return Object.entries(json.neighbors ?? {})
    .filter(([, list]) => list.some((n) => n.nbrState?.startsWith("Full")))
    .map(([id]) => id);
}

/** Whether every router of the triangle has OSPF routes to the other hosts' LANs and routers' loopbacks. */
async function converged(lab: string): Promise<boolean> {
  const each = await Promise.all(
    [1, 2, 3].map(async (i) => {
      const out = (await cli(["exec", "--lab", lab, `r${i}`, "--", "ip", "-json", "route"])).stdout;
      const ospf = (JSON.parse(out || "[]") as { dst: string; protocol?: string }[])
        .filter((r) => r.protocol === "ospf")
        .map((r) => r.dst);
      return [1, 2, 3]
        .filter((j) => j !== i)
        .every((j) => ospf.includes(`172.16.${j}.0/24`) && ospf.includes(`10.255.0.${j}`));
    }),
  );
  return each.every(Boolean);
}

const hostFrr = () =>
  createHash("sha256")
    .update(readFileSync("/etc/frr/daemons"))
    .update(readFileSync("/etc/frr/frr.conf", "utf8"))
    .digest("hex");

describe("FRR routers in namespaces (examples/ospf-triangle.yml)", () => {
  const { file, lab } = labFile("examples/ospf-triangle.yml", "ospf");
  const before = hostFrr();
  beforeAll(async () => {
    const r = await cli(["up", file]);
    expect(r.code, r.stderr).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await cli(["down", file]);
  });

  it("forms OSPF adjacencies on every link and the hosts reach each other only through OSPF", async () => {
    for (const [node, peers] of [
      ["r1", ["10.255.0.2", "10.255.0.3"]],
      ["r2", ["10.255.0.1", "10.255.0.3"]],
      ["r3", ["10.255.0.1", "10.255.0.2"]],
    ] as const)
      await waitFor(
        `${node}'s OSPF adjacencies`,
        async () => (await fullNeighbours(lab, node)).length === peers.length,
        {
          timeoutMs: 40_000,
          intervalMs: 500,
        },
      );
    // No route was written anywhere: each router knows the other hosts' LANs from OSPF alone.
    await waitFor("OSPF routes on every router", () => converged(lab), {
      timeoutMs: 20_000,
      intervalMs: 250,
    });
    const v = await cli(["validate", file]);
    expect(v.code, v.stdout).toBe(0);
    expect(v.stdout).toContain("h1-to-r3-loopback");
  }, 90_000);

  it("runs vtysh in the router's own files, under its own hostname", async () => {
    const run = await cli(["exec", "--lab", lab, "r2", "--", "vtysh", "-c", "show running-config"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("hostname r2");
    expect(run.stdout).toContain("ospf router-id 10.255.0.2");
    expect((await cli(["exec", "--lab", lab, "r2", "--", "hostname"])).stdout.trim()).toBe("r2");
    // Its /etc/frr is the lab's copy of its files; the host's is untouched.
    const conf = (await cli(["exec", "--lab", lab, "r2", "--", "cat", "/etc/frr/frr.conf"])).stdout;
    expect(conf).toBe(readFileSync("examples/ospf-triangle/r2.conf", "utf8"));
    expect(hostFrr()).toBe(before);
  });

  it("wirelab exec r1 vtysh at a terminal is the router's own shell (script(1) gives it a pty)", () => {
    const cmd = [process.execPath, "dist/cli/bin.js", "exec", "--lab", lab, "r1", "vtysh"]
      .map((a) => `'${a}'`)
      .join(" ");
    const out = execFileSync("script", ["-qec", cmd, "/dev/null"], {
      input: "show version\nexit\n",
      encoding: "utf8",
      env: { ...process.env, WIRELAB_STATE_DIR: stateDir() },
      timeout: 30_000,
    }).replace(/\r/g, "");
    expect(out).toContain("r1# show version");
    expect(out).toContain("FRRouting 8.4");
  });

  it("captures a router's link: its OSPF hellos, decoded by tshark", async () => {
    const pcap = join(stateDir(), `${lab}-ospf.pcapng`);
    // OSPF (IP protocol 89) hellos: message type 1, the OSPF header's second byte after a 20-byte IP header.
    const filter = ["ip", "proto", "89", "and", "ip[21]", "==", "1"];
    const r = await cli(["capture", "--lab", lab, "r1", "eth1", "-c", "2", "-w", pcap, ...filter]);
    expect(r.code, r.stderr).toBe(0);
    const fields = execFileSync(
      "tshark",
      ["-r", pcap, "-T", "fields", "-e", "ospf.msg", "-e", "ospf.srcrouter", "-e", "ip.src"],
      { encoding: "utf8" },
    )
      .trim()
      .split("\n");
    expect(fields).toHaveLength(2);
    // Hellos from r1 (10.1.0.1) or r2 (10.1.0.2) on their p2p link.
    expect(new Set(fields.map((f) => f.split("\t")[0])), fields.join(" | ")).toEqual(
      new Set(["1"]),
    );
    expect(fields.every((f) => /10\.255\.0\.[12]\t10\.1\.0\.[12]$/.test(f))).toBe(true);
  });

  it("status shows each router's daemons; a killed ospfd is reported, restart puts it back", async () => {
    const s = await cli(["status", "--lab", lab]);
    expect(s.stdout).toContain("r1: frr, daemons zebra ospfd staticd");
    const pidfile = join(stateDir(), "labs", lab, "routers", "r3", "run", "ospfd.pid");
    process.kill(Number(readFileSync(pidfile, "utf8")), "SIGKILL");
    await waitFor("status to see ospfd gone", async () =>
      (await cli(["status", "--lab", lab])).stdout.includes(
        "r3: frr, daemons zebra staticd; NOT RUNNING: ospfd",
      ),
    );
    expect((await cli(["status", "--lab", lab])).stdout).toContain("MISSING: FRR ospfd on r3");
    const r = await cli(["restart", "--lab", lab, "r3"]);
    expect(r.code, r.stderr).toBe(0);
    expect((await cli(["status", "--lab", lab])).stdout).toContain(
      "r3: frr, daemons zebra ospfd staticd",
    );
    await waitFor(
      "r3's adjacencies again",
      async () => (await fullNeighbours(lab, "r3")).length === 2,
      {
        timeoutMs: 40_000,
        intervalMs: 500,
      },
    );
  }, 90_000);

  it("up puts back a router whose namespace was deleted, FRR with it", async () => {
    // Deleted behind wirelab's back: FRR keeps running in the old namespace.
    expect(namespaces(`wl-${lab}-r1`)).toEqual([`wl-${lab}-r1`]);
    execFileSync("ip", ["netns", "delete", `wl-${lab}-r1`]);
    const up = await cli(["up", file]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toContain("FRR of r1");
    await waitFor(
      "r1's adjacencies after up",
      async () => (await fullNeighbours(lab, "r1")).length === 2,
      {
        timeoutMs: 40_000,
        intervalMs: 500,
      },
    );
  }, 90_000);

  it("save writes each router's running configuration; up from those files gives the same routes", async () => {
    const routes = async () =>
      Object.fromEntries(
        await Promise.all(
          ["r1", "r2", "r3"].map(async (n) => {
            const out = (await cli(["exec", "--lab", lab, n, "--", "ip", "-json", "route"])).stdout;
            const list = JSON.parse(out || "[]") as { dst: string; protocol?: string }[];
            return [n, list.map((r) => `${r.dst} ${r.protocol ?? ""}`).sort()] as const;
          }),
        ),
      );
    await waitFor("OSPF routes on every router", () => converged(lab), {
      timeoutMs: 40_000,
      intervalMs: 250,
    });
    const before = await routes();
    const dir = join(stateDir(), `saved-${lab}`);
    const saved = await cli(["save", "--lab", lab, "-o", dir]);
    expect(saved.code, saved.stderr).toBe(0);
    expect(saved.stdout).toContain(
      `saved the running configuration of 3 routers of lab ${lab} in ${dir}`,
    );
    const r2 = readFileSync(join(dir, "r2", "frr.conf"), "utf8");
    expect(r2).toContain("hostname r2");
    expect(r2).toContain("router ospf");
    expect((await cli(["down", file])).code).toBe(0);
    const again = readFileSync(file, "utf8").replace(
      /config: ospf-triangle\/(r\d)\.conf/g,
      (_m, n: string) => `config: ${join(dir, n, "frr.conf")}`,
    );
    expect(again).toContain(join(dir, "r3", "frr.conf"));
    writeFileSync(file, again);
    const up = await cli(["up", file]);
    expect(up.code, up.stderr).toBe(0);
    await waitFor(
      "the same routes from the saved configurations",
      async () => {
        const now = await routes();
        return JSON.stringify(now) === JSON.stringify(before);
      },
      { timeoutMs: 40_000, intervalMs: 500 },
    );
  }, 120_000);

  it("down stops every daemon and removes every mount", async () => {
    expect(leftovers(lab).frr.length).toBe(9);
    const d = await cli(["down", file]);
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toContain("9 FRR daemons stopped");
    expect(leftovers(lab)).toEqual(NOTHING_LEFT);
  });
});

describe("a namespace router and a VM router (examples/ospf-mixed.yml)", () => {
  const { file, lab } = labFile("examples/ospf-mixed.yml", "ospfmix");
  afterAll(async () => {
    await cli(["down", file]);
  });

  it("reach OSPF Full; the hosts reach each other only through OSPF; a restarted VM router comes back with its FRR", async () => {
    const r = await cli(["up", file]);
    expect(r.code, r.stderr).toBe(0);
    expect((await cli(["status", "--lab", lab])).stdout).toContain(
      "v2: frr, daemons zebra ospfd staticd",
    );
    expect((await cli(["exec", "--lab", lab, "v2", "--", "hostname"])).stdout.trim()).toBe("v2");
    const full = async () => {
      for (const node of ["r1", "v2"])
        await waitFor(
          `${node}'s OSPF adjacency`,
          async () => (await fullNeighbours(lab, node)).length === 1,
          {
            timeoutMs: 40_000,
            intervalMs: 500,
          },
        );
      await waitFor(
        "h1 to reach h2",
        async () => (await pingFrom(lab, "h1", "172.16.2.10", 1)).code === 0,
        {
          timeoutMs: 30_000,
          intervalMs: 500,
        },
      );
    };
    await full();
    const v = await cli(["validate", file]);
    expect(v.code, v.stdout).toBe(0);
    const again = await cli(["restart", "--lab", lab, "v2"]);
    expect(again.code, again.stderr).toBe(0);
    expect((await cli(["status", "--lab", lab])).stdout).toContain(
      "v2: frr, daemons zebra ospfd staticd",
    );
    await full();
  }, 240_000);
});

describe("BGP between two namespace routers", () => {
  const topology = `
routing: none
nodes:
  r1: { device: frr, config: bgp-r1.conf }
  r2: { device: frr, config: bgp-r2.conf }
links:
  - { r1: { ipv4: 10.7.0.1/30 }, r2: { ipv4: 10.7.0.2/30 } }
`;
  const { file, lab } = labFile(topology, "bgp");
  const dir = join(file, "..");
  afterAll(async () => {
    await cli(["down", file]);
  });

  it("reaches Established and carries a prefix from one AS to the other", async () => {
    writeFileSync(
      join(dir, "bgp-r1.conf"),
      "hostname r1\ninterface lo\n ip address 192.0.2.1/32\n!\nrouter bgp 65001\n bgp router-id 10.7.0.1\n no bgp ebgp-requires-policy\n neighbor 10.7.0.2 remote-as 65002\n address-family ipv4 unicast\n  network 192.0.2.1/32\n exit-address-family\n!\n",
    );
    writeFileSync(
      join(dir, "bgp-r2.conf"),
      "hostname r2\nrouter bgp 65002\n bgp router-id 10.7.0.2\n no bgp ebgp-requires-policy\n neighbor 10.7.0.1 remote-as 65001\n!\n",
    );
    const r = await cli(["up", file]);
    expect(r.code, r.stderr).toBe(0);
    expect((await cli(["status", "--lab", lab])).stdout).toContain(
      "r1: frr, daemons zebra bgpd staticd",
    );
    await waitFor(
      "r2's BGP session with r1",
      async () => {
        const s = await cli([
          "exec",
          "--lab",
          lab,
          "r2",
          "--",
          "vtysh",
          "-c",
          "show bgp ipv4 summary json",
        ]);
        const json = JSON.parse(s.stdout || "{}") as {
          ipv4Unicast?: { peers?: Record<string, { state?: string }> };
        };
        return json.ipv4Unicast?.peers?.["10.7.0.1"]?.state === "Established";
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    await waitFor(
      "r1's prefix on r2",
      async () =>
        (
          await cli(["exec", "--lab", lab, "r2", "--", "ip", "route", "show", "192.0.2.1"])
        ).stdout.includes("proto bgp"),
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect((await pingFrom(lab, "r2", "192.0.2.1", 2)).code).toBe(0);
  }, 120_000);
});

describe("a containerlab FRR lab as it is (test/fixtures/clab-frr)", () => {
  // The lab's folder as a user has it: the topology next to its routers' folders.
  const lab = `${TEST_PREFIX}-clabfrr`;
  const dir = join(stateDir(), lab);
  cpSync("test/fixtures/clab-frr", dir, { recursive: true });
  const file = join(dir, "frr.clab.yml");
  writeFileSync(file, readFileSync(file, "utf8").replace(/^name:.*$/m, `name: ${lab}`));
  afterAll(async () => {
    await cli(["down", file]);
  });

  it("comes up: FRR images become routers with their bound files, the PCs' exec lines run, PC1 reaches PC2 through OSPF", async () => {
    const r = await cli(["up", file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('image "wbitt/network-multitool:alpine-minimal" is not run');
    expect((await cli(["status", "--lab", lab])).stdout).toContain(
      "router2: frr, daemons zebra ospfd staticd",
    );
    // router1's address on eth2 comes from its frr.conf, PC1's from its exec line.
    await waitFor(
      "PC1 to reach PC2 across the routers",
      async () => (await pingFrom(lab, "PC1", "192.168.12.2", 1)).code === 0,
      { timeoutMs: 40_000, intervalMs: 500 },
    );
    expect((await cli(["down", file])).code).toBe(0);
    expect(leftovers(lab)).toEqual(NOTHING_LEFT);
  }, 90_000);
});

describe("router files that cannot be used are refused, and nothing is left", () => {
  const refused = async (
    topology: string,
    suffix: string,
    files: Record<string, string>,
    message: RegExp,
  ) => {
    const { file, lab } = labFile(topology, suffix);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(file, "..", name), text);
    const r = await cli(["up", file]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(leftovers(lab)).toEqual(NOTHING_LEFT);
  };

  it("a config FRR rejects: at the topology's config line, with FRR's words", async () => {
    await refused(
      "nodes:\n  r1: { device: frr, config: frr-bad.conf }\n",
      "badconf",
      { "frr-bad.conf": "router ospf\n network 10.0.0.0/8 area 0\nfrobnicate the router\n" },
      /:3:\d+: FRR rejects .*frr-bad\.conf: line 3: % Unknown command.*frobnicate/,
    );
  });

  it("a missing config file", async () => {
    await refused(
      "nodes:\n  r1: { device: frr, config: nope.conf }\n",
      "noconf",
      {},
      /:3:\d+: config .*nope\.conf: no such file/,
    );
  });

  it("a daemons file that turns on a daemon FRR does not have", async () => {
    await refused(
      "nodes:\n  r1: { device: frr, daemons: frr-daemons }\n",
      "baddaemons",
      { "frr-daemons": "zebra=yes\nospfd=yes\nfrobd=yes\n" },
      /daemons line 3 turns on "frobd", which FRR does not have/,
    );
  });

  it("create refuses a lab with routers: no output starts their software yet", async () => {
    const { file } = labFile("nodes:\n  r1: { device: frr }\n", "frrexport");
    const r = await cli([
      "create",
      file,
      "--output",
      "script",
      "-o",
      join(stateDir(), "frr-export"),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "the script output does not start routers' software yet (device: frr): r1",
    );
  });

  it("a config FRR takes in syntax but a daemon refuses when it starts: up fails with FRR's words and leaves nothing", async () => {
    for (const kind of ["linux", "vm"]) {
      const { file, lab } = labFile(
        `nodes:\n  r1: { kind: ${kind}, device: frr, config: frr-refused.conf }\n`,
        `refused${kind}`,
      );
      // bgpd refuses a local AS equal to its own AS; vtysh --dryrun checks only the syntax.
      writeFileSync(
        join(file, "..", "frr-refused.conf"),
        "router bgp 65000\n neighbor 192.0.2.1 remote-as 65001\n neighbor 192.0.2.1 local-as 65000\n!\n",
      );
      const r = await cli(["up", file]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(
        /router r1: FRR refused a line of its configuration \(frr\.conf\):\n\s+line 3 \(bgpd\): neighbor 192\.0\.2\.1 local-as 65000/,
      );
      expect(r.stderr).toMatch(/FRR said:\n\s+% /);
      expect(leftovers(lab)).toEqual(NOTHING_LEFT);
    }
  }, 120_000);

  it("config on a node that is not a router", async () => {
    await refused(
      "nodes:\n  h1: { config: x.conf }\n",
      "hostconf",
      {},
      /"config" applies to frr devices only; add "device: frr"/,
    );
  });
});
