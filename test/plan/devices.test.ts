import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TopologyError } from "../../src/errors.js";
import {
  daemonsEnabled,
  daemonsFile,
  daemonsFor,
  withLogFile,
} from "../../src/plan/devices/frr-daemons.js";
import { planText } from "../../src/plan/load-plan.js";
import { topologyFormat } from "../../src/topology/netlab.js";

const problems = (text: string): string[] => {
  try {
    planText(text, "t.yml");
    return [];
  } catch (e) {
    if (!(e instanceof TopologyError)) throw e;
    return e.diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`);
  }
};

describe("devices in the plan", () => {
  it("plans an frr router: forwarding on, its files as absolute paths; linux is the default", () => {
    const { plan } = planText(
      "nodes:\n  r1: { device: frr, config: r1/frr.conf, daemons: r1/daemons }\n  h1: {}\nlinks: [r1-h1]\n",
      "/labs/x/t.yml",
    );
    const [r1, h1] = plan.nodes;
    expect(r1?.device).toEqual({
      name: "frr",
      config: "/labs/x/r1/frr.conf",
      daemons: "/labs/x/r1/daemons",
    });
    expect(r1?.forwarding).toBe(true);
    expect(h1?.device).toEqual({ name: "linux" });
    expect(h1?.forwarding).toBe(false);
  });

  it("takes the device from defaults; forwarding: false is kept", () => {
    const { plan } = planText(
      "defaults: { device: frr }\nnodes:\n  r1: {}\n  r2: { forwarding: false }\nlinks: [r1-r2]\n",
      "t.yml",
    );
    expect(plan.nodes.map((n) => [n.name, n.kind, n.device?.name, n.forwarding])).toEqual([
      ["r1", "linux", "frr", true],
      ["r2", "linux", "frr", false],
    ]);
  });

  it("refuses router files on a host, a router on a user's image, an unknown device, at their place", () => {
    expect(problems("nodes:\n  h1: { config: x.conf }\n")).toEqual([
      '2:9: "config" applies to frr devices only; add "device: frr"',
    ]);
    expect(problems("nodes:\n  r1: { kind: vm, device: frr, image: /x.qcow2 }\n")[0]).toMatch(
      /^2:\d+: "device: frr" runs FRR in wirelab's own guest/,
    );
    expect(problems("nodes:\n  r1: { device: eos }\n")[0]).toMatch(
      /^2:\d+: device "eos" needs its vendor's image; wirelab runs the devices linux and frr/,
    );
  });

  it("maps netlab's device frr on nodes, groups and defaults, by provider", () => {
    const { plan } = planText(
      "provider: clab\ndefaults.device: linux\ngroups:\n  core: { members: [c1], device: frr }\nnodes: [c1, h1]\nlinks: [c1-h1]\n",
      "t.yml",
    );
    expect(plan.nodes.map((n) => [n.name, n.kind, n.device?.name])).toEqual([
      ["c1", "linux", "frr"],
      ["h1", "linux", "linux"],
    ]);
    const dotted = planText("defaults.device: frr\nnodes: [a, b]\nlinks: [a-b]\n", "t.yml").plan;
    expect(dotted.nodes.map((n) => [n.kind, n.device?.name])).toEqual([
      ["linux", "frr"],
      ["linux", "frr"],
    ]);
    // A wirelab file with routers is wirelab's, not netlab's.
    expect(topologyFormat({ nodes: { r1: { device: "frr", kind: "vm" } } })).toBe("wirelab");
    expect(topologyFormat({ nodes: { r1: { device: "eos" } } })).toBe("netlab");
  });
});

describe("FRR's daemons", () => {
  it("are the ones a configuration needs, zebra and staticd always", () => {
    expect(daemonsFor("hostname r1\n")).toEqual(["zebra", "staticd"]);
    expect(
      daemonsFor(
        "router bgp 65001\n neighbor 1.2.3.4 bfd\n!\nrouter ospf6\n!\ninterface eth1\n ip ospf area 0\n ip router isis core\n!\n! router rip\n",
      ),
    ).toEqual(["zebra", "bgpd", "ospfd", "ospf6d", "isisd", "staticd", "bfdd"]);
  });

  it("are read from a daemons file as FRR reads it", () => {
    expect(daemonsEnabled('bgpd=yes\nospfd="yes"\nisisd=no\nzebra=no\n# ripd=yes\n')).toEqual([
      "zebra",
      "bgpd",
      "ospfd",
      "staticd",
    ]);
  });

  it("written as a daemons file, are what sh reads back from it (FRR's start script sources it)", () => {
    const dir = mkdtempSync(join(tmpdir(), "wirelab-daemons-"));
    try {
      const file = join(dir, "daemons");
      writeFileSync(file, daemonsFile(["zebra", "ospfd", "staticd"], "/var/log/frr/frr.log"));
      const read = (text: string) => {
        writeFileSync(file, text);
        return execFileSync(
          "sh",
          [
            "-c",
            `. "$1"; echo "$zebra $ospfd $bgpd|$zebra_options|$frr_global_options"`,
            "sh",
            file,
          ],
          { encoding: "utf8" },
        ).trim();
      };
      expect(read(daemonsFile(["zebra", "ospfd", "staticd"], "/var/log/frr/frr.log"))).toBe(
        "yes yes no|-A 127.0.0.1 -s 90000000|--log file:/var/log/frr/frr.log",
      );
      // A user's file keeps its own settings and gains the log.
      expect(read(withLogFile('bgpd=yes\nfrr_global_options="-w"', "/l/frr.log"))).toBe(
        "yes||-w --log file:/l/frr.log",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("VM routers", () => {
  it("get 256 MiB unless they say otherwise (FRR's daemons do not fit the guest's 96)", () => {
    const { plan } = planText(
      "nodes:\n  r1: { kind: vm, device: frr }\n  r2: { kind: vm, device: frr, memory: 128 }\n  h1: { kind: vm }\nlinks: [r1-r2, r2-h1]\n",
      "t.yml",
    );
    expect(plan.nodes.map((n) => (n.kind === "vm" ? n.vm.memoryMiB : 0))).toEqual([256, 128, 96]);
  });
});

describe("exec lines", () => {
  it("are planned in order on nodes of either kind; absent when none", () => {
    const { plan } = planText(
      'nodes:\n  a: { exec: ["ip link set lo up", "true"] }\n  v: { kind: vm, exec: ["hostname"] }\n  b: {}\nlinks: [a-b, a-v]\n',
      "t.yml",
    );
    expect(plan.nodes.map((n) => n.exec)).toEqual([
      ["ip link set lo up", "true"],
      ["hostname"],
      undefined,
    ]);
  });

  it("must be a list of commands", () => {
    expect(problems('nodes:\n  a: { exec: "ip link" }\n')[0]).toMatch(/^2:\d+: .*exec/);
  });
});
