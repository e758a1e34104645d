import { execFileSync, spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  captureOne,
  cli,
  inNs,
  labFile,
  namespaces,
  sendRawFrame,
  stateDir,
  waitFor,
} from "./lab-helpers.js";

const { file, lab } = labFile("examples/six-routers.yml", "six");
const ns = (node: string) => `wl-${lab}-${node}`;

describe("six-routers in namespaces", () => {
  let upped: Awaited<ReturnType<typeof cli>>;
  beforeAll(async () => {
    upped = await cli(["up", file]);
  });
  afterAll(async () => {
    await cli(["down", file]);
    expect(namespaces(`wl-${lab}`)).toEqual([]);
  });

  it("comes up with a namespace per node and one for its LAN", () => {
    const r = upped;
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`lab ${lab} is up: 7 nodes, 6 links`);
    expect(namespaces(`wl-${lab}`)).toEqual(
      [
        lab,
        `${lab}-h1`,
        `${lab}-h2`,
        `${lab}-htest`,
        `${lab}-rt1`,
        `${lab}-rt2`,
        `${lab}-rt3`,
        `${lab}-rt4`,
      ]
        .map((n) => `wl-${n}`)
        .sort(),
    );
  });

  it("has the written addresses, routes and forwarding in the kernel", () => {
    const addrs = JSON.parse(
      execFileSync("ip", ["-n", ns("rt4"), "-json", "-4", "address", "show"], { encoding: "utf8" }),
    ) as {
      ifname: string;
      addr_info: { local: string; prefixlen: number }[];
    }[];
    expect(
      addrs
        .filter((a) => a.ifname !== "lo")
        .map((a) => `${a.ifname} ${a.addr_info[0]?.local}/${a.addr_info[0]?.prefixlen}`),
    ).toEqual(["eth1 10.20.40.1/24", "eth2 10.20.50.1/24", "eth3 10.20.60.1/24"]);
    const routes = execFileSync("ip", ["-n", ns("rt1"), "route", "show", "10.20.60.0/24"], {
      encoding: "utf8",
    });
    expect(routes.trim()).toBe("10.20.60.0/24 via 10.20.20.2 dev eth2");
    expect(inNs(ns("rt2"), ["sysctl", "-n", "net.ipv4.ip_forward"]).stdout.trim()).toBe("1");
    expect(inNs(ns("h1"), ["sysctl", "-n", "net.ipv4.ip_forward"]).stdout.trim()).toBe("0");
  });

  it("carries h1 → h2 through rt1, rt2, rt4 (TTL drops by three)", () => {
    const r = inNs(ns("h1"), ["ping", "-n", "-c", "1", "-W", "2", "10.20.60.2"]);
    expect(r.code).toBe(0);
    // h2 replies with TTL 64, decremented by rt4, rt2, rt1 on the way back.
    expect(r.stdout).toMatch(/ttl=61/);
  });

  it("validates: declared tests and every neighbour", async () => {
    const r = await cli(["validate", file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`lab ${lab}: 21 passed, 0 failed`);
    expect(r.stdout).toMatch(/ok {3}h1-to-h2: h1 → h2 10\.20\.60\.2: reply/);
    expect(r.stdout).toMatch(/ok {3}rt2-has-no-route-to-br5: .*expected to fail/);
  });

  it("is idempotent: a second up changes nothing", async () => {
    const before = execFileSync("ip", ["-n", ns("rt1"), "-json", "link", "show"], {
      encoding: "utf8",
    });
    const r = await cli(["up", file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("already up as planned");
    expect(
      execFileSync("ip", ["-n", ns("rt1"), "-json", "link", "show"], { encoding: "utf8" }),
    ).toBe(before);
  });

  it("reports status with addresses and link state", async () => {
    const r = await cli(["status", "--lab", lab, "--json"]);
    expect(r.code).toBe(0);
    const [status] = JSON.parse(r.stdout) as {
      nodes: {
        name: string;
        interfaces: { ifname: string; state: string; addresses: string[] }[];
      }[];
    }[];
    const rt1 = status?.nodes.find((n) => n.name === "rt1");
    expect(rt1?.interfaces.map((i) => [i.ifname, i.state, i.addresses])).toEqual([
      ["eth1", "UP", ["10.20.10.1/24"]],
      ["eth2", "UP", ["10.20.20.1/24"]],
      ["eth3", "UP", ["10.20.30.1/24"]],
    ]);
    const text = (await cli(["status"])).stdout;
    expect(text).toMatch(/rt4\s+linux fwd\s+eth1\s+UP\s+10\.20\.40\.1\/24\s+br4\s+rt2:eth2/);
  });

  it("exec runs in the node and returns the command's exit code", async () => {
    expect(
      (await cli(["exec", "--lab", lab, "h2", "--", "ping", "-c", "1", "-W", "2", "10.20.10.2"]))
        .code,
    ).toBe(0);
    expect((await cli(["exec", "--lab", lab, "h2", "--", "sh", "-c", "exit 7"])).code).toBe(7);
    const bad = await cli(["exec", "--lab", lab, "h3", "--", "true"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('no node "h3" (did you mean "h1"?)');
  });

  it("restarts a namespace node with all its wires; its peers keep every other interface", async () => {
    const ifindex = (ns: string, dev: string) =>
      (
        JSON.parse(
          execFileSync("ip", ["-n", ns, "-json", "link", "show", dev], { encoding: "utf8" }),
        ) as { ifindex: number }[]
      )[0]?.ifindex;
    const rt1ToRt3 = ifindex(ns("rt1"), "eth3");
    const r = await cli(["restart", "--lab", lab, "rt2"]);
    expect(r.code).toBe(0);
    expect(ifindex(ns("rt1"), "eth3")).toBe(rt1ToRt3);
    expect(
      execFileSync("ip", ["-n", ns("rt1"), "route", "show", "10.20.60.0/24"], {
        encoding: "utf8",
      }).trim(),
    ).toBe("10.20.60.0/24 via 10.20.20.2 dev eth2");
    expect((await cli(["restart", "--lab", lab, "h1"])).code).toBe(0);
    expect((await cli(["validate", file])).stdout).toContain(`lab ${lab}: 21 passed, 0 failed`);
  });

  it("passes link-local control frames (LACP's 01:80:c2:00:00:02) over a vEth pair", async () => {
    const { code, out } = await captureOne(
      [
        "ip",
        "netns",
        "exec",
        ns("rt2"),
        "tcpdump",
        "-n",
        "-e",
        "-l",
        "-c",
        "1",
        "-i",
        "eth1",
        "ether dst 01:80:c2:00:00:02",
      ],
      () => sendRawFrame(ns("rt1"), "eth2", "01:80:c2:00:00:02", 0x8809),
    );
    expect(code).toBe(0);
    expect(out).toMatch(/> 01:80:c2:00:00:02, ethertype Slow Protocols \(0x8809\)/);
  });

  it("streams a capture (-w -) that tshark reads live from a pipe", async () => {
    // The shell pipe is what users type: wirelab capture … -w - | tshark -r -
    const pipeline = spawn(
      "sh",
      [
        "-c",
        'node dist/cli/bin.js capture --lab "$1" h1 eth1 -c 2 -w - icmp | tshark -r - -T fields -e frame.interface_name -e frame.packet_flags_direction -e icmp.type',
        "sh",
        lab,
      ],
      {
        env: { ...process.env, WIRELAB_STATE_DIR: stateDir() },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    let err = "";
    pipeline.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    pipeline.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    await waitFor("the capture to listen", () => err.includes("capturing"));
    expect(inNs(ns("h1"), ["ping", "-c", "1", "-W", "2", "10.20.60.2"]).code).toBe(0);
    expect(await new Promise((resolve) => pipeline.on("exit", resolve))).toBe(0);
    expect(out.trim().split("\n")).toEqual(["h1:eth1\t0x00000002\t8", "h1:eth1\t0x00000001\t0"]);
  });

  it("validate fails, and says so, when a wire is cut", async () => {
    execFileSync("ip", ["-n", ns("rt2"), "link", "set", "eth2", "down"]);
    const r = await cli(["validate", file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL h1-to-h2/);
    execFileSync("ip", ["-n", ns("rt2"), "link", "set", "eth2", "up"]);
  });

  it("goes down completely", async () => {
    const r = await cli(["down", file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("8 namespaces removed");
    expect(namespaces(`wl-${lab}`)).toEqual([]);
    expect((await cli(["down", file])).stdout).toContain("not up; nothing to do");
  });
});
