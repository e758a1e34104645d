/**
 * The wire daemon with real peers: three VMs on a hub LAN running lldpd, an
 * 802.3ad bond negotiating LACP over two relayed links, a relayed link with
 * a configured delay, live loss, link down/up, a killed daemon coming back,
 * and a capture taken from the daemon.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LabPlan } from "../../src/plan/types.js";
import { tsharkFields } from "../helpers.js";
import {
  addressOn,
  captureOne,
  cli,
  cliSync,
  inNs,
  interfaceOn,
  labFile,
  leftovers,
  lldpdu,
  NOTHING_LEFT,
  sendRawFrame,
  stateDir,
  udpAndTcp,
  upWarnings,
  waitFor,
} from "./lab-helpers.js";

const TOPOLOGY = `
defaults: { kind: vm }
nodes: [a, b, c]
links:
  - { a: {}, b: {}, c: {}, name: lan }
  - { a: {}, b: {}, name: bond1, relay: true }
  - { a: {}, b: {}, name: bond2, relay: true }
  - { a: {}, c: {}, name: slow, impair: { delay: 10ms } }
`;

describe("wire daemon: hub, relay, impairments, link state", () => {
  const { file, lab } = labFile(TOPOLOGY, "wire");
  let plan: LabPlan;
  const iface = (node: string, link: string) => interfaceOn(plan, node, link);
  const addr = (node: string, link: string) => addressOn(plan, node, link);
  const exec = (node: string, ...argv: string[]) =>
    cliSync(["exec", "--lab", lab, node, "--", ...argv]);
  const sh = (node: string, script: string) => exec(node, "sh", "-c", script);
  /** Average RTT in ms of `count` pings, or undefined when none came back. */
  const rtt = (from: string, to: string, count = 5) => {
    const r = exec(from, "ping", "-c", String(count), "-i", "0.2", "-W", "2", to);
    const m = /= [\d.]+\/([\d.]+)\//.exec(r.stdout);
    return m ? Number(m[1]) : undefined;
  };

  beforeAll(async () => {
    const r = await cli(["up", file]);
    expect(upWarnings(r.stderr)).toBe("");
    expect(r.code).toBe(0);
    plan = JSON.parse(cliSync(["plan", "--json", file]).stdout) as LabPlan;
  }, 120_000);

  afterAll(async () => {
    await cli(["down", file]);
    expect(leftovers(lab)).toEqual(NOTHING_LEFT);
  });

  it("plans a LAN of VMs as a hub and the other VM links as relays", () => {
    expect(plan.links.map((l) => `${l.name}:${l.transport}`)).toEqual([
      "lan:hub",
      "bond1:relay",
      "bond2:relay",
      "slow:relay",
    ]);
    expect(leftovers(lab).wire).toHaveLength(2); // supervisor and daemon
    expect(cliSync(["status", "--lab", lab]).stdout).toMatch(
      /wire daemon: pid \d+ \(supervisor \d+\)/,
    );
  });

  it("hub: lldpd in three VMs sees both neighbours and never itself", async () => {
    for (const n of ["a", "b", "c"]) {
      expect(
        sh(
          n,
          // lldpd takes its settings once it runs (its own lldpcli has resumed it): after its first LLDPDU.
          `lldpd -I ${iface(n, "lan").ifname} && for i in $(seq 100); do lldpcli -f keyvalue show statistics | grep -q "^lldp.${iface(n, "lan").ifname}.tx.tx=[1-9]" && exec lldpcli configure lldp tx-interval 1; sleep 0.1; done; exit 1`,
        ).code,
      ).toBe(0);
    }
    const neighbours = (n: string) =>
      [...sh(n, "lldpcli -f keyvalue show neighbors").stdout.matchAll(/chassis\.name=(\S+)/g)]
        .map((m) => m[1])
        .sort();
    await waitFor(
      "lldpd in each VM to see two neighbours",
      () => ["a", "b", "c"].every((n) => neighbours(n).length >= 2),
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    expect(neighbours("a")).toEqual(["b", "c"]);
    expect(neighbours("b")).toEqual(["a", "c"]);
    expect(neighbours("c")).toEqual(["a", "b"]);
  }, 60_000);

  it("relay: an 802.3ad bond negotiates LACP over two relayed links and carries pings", async () => {
    for (const [n, host] of [
      ["a", 1],
      ["b", 2],
    ] as const) {
      const [e1, e2] = [iface(n, "bond1").ifname, iface(n, "bond2").ifname];
      const script = [
        "IP=/usr/sbin/ip",
        "$IP link del bond0 2>/dev/null",
        "$IP link add bond0 type bond mode 802.3ad miimon 100 lacp_rate fast",
        ...[e1, e2].flatMap((e) => [
          `$IP link set ${e} down`,
          `$IP addr flush dev ${e}`,
          `$IP link set ${e} master bond0`,
        ]),
        "$IP link set bond0 up",
        `$IP addr add 10.99.0.${host}/24 dev bond0`,
      ].join(" && ");
      expect(sh(n, script).code).toBe(0);
    }
    const bMac = sh("b", "cat /sys/class/net/bond0/address").stdout.trim();
    const bonding = () => sh("a", "cat /proc/net/bonding/bond0").stdout;
    await waitFor(
      "LACP to find its partner",
      () => bonding().includes(`Partner Mac Address: ${bMac}`),
      { timeoutMs: 15_000, intervalMs: 500 },
    );
    expect(bonding()).toContain(`Partner Mac Address: ${bMac}`);
    expect(bonding()).toMatch(/Number of ports: 2/);
    expect(exec("a", "ping", "-c", "2", "-W", "2", "10.99.0.2").code).toBe(0);
  }, 60_000);

  it("adds the configured delay: 10 ms each way on the slow link", () => {
    const base = rtt("a", addr("b", "lan"));
    const slow = rtt("a", addr("c", "slow"));
    expect(base).toBeTypeOf("number");
    expect(slow).toBeTypeOf("number");
    if (base === undefined || slow === undefined) return;
    expect(slow).toBeGreaterThanOrEqual(20);
    expect(slow).toBeLessThan(20 + base + 15);
  });

  it("impairs live: 25% loss on what a sends, within tolerance over 80 pings, then cleared", () => {
    const slowIf = iface("a", "slow").ifname;
    expect(
      cliSync(["link", "impair", "--lab", lab, "a", slowIf, "--loss", "25%", "--direction", "out"])
        .code,
    ).toBe(0);
    const r = exec("a", "ping", "-c", "80", "-i", "0.05", "-W", "1", addr("c", "slow"));
    const loss = Number(/([\d.]+)% packet loss/.exec(r.stdout)?.[1]);
    // Binomial(80, 0.25): mean 20, sd 3.9; 5..45% is beyond ±4 sd.
    expect(loss).toBeGreaterThanOrEqual(5);
    expect(loss).toBeLessThanOrEqual(45);
    const shown = cliSync(["link", "show", "--lab", lab]).stdout;
    expect(shown).toMatch(new RegExp(`a:${slowIf}  up  sends: delay 10ms, loss 25%`));
    expect(
      cliSync(["link", "impair", "--lab", lab, "a", slowIf, "--clear", "--delay", "10ms"]).code,
    ).toBe(0);
    expect(exec("a", "ping", "-c", "20", "-i", "0.05", addr("c", "slow")).stdout).toContain(
      " 0% packet loss",
    );
  });

  it("cuts a link (both VMs lose carrier) and restores it", () => {
    const slowA = iface("a", "slow").ifname;
    const slowC = iface("c", "slow").ifname;
    expect(cliSync(["link", "down", "--lab", lab, "a", slowA]).code).toBe(0);
    expect(sh("a", `cat /sys/class/net/${slowA}/carrier`).stdout.trim()).toBe("0");
    expect(sh("c", `cat /sys/class/net/${slowC}/carrier`).stdout.trim()).toBe("0");
    expect(exec("a", "ping", "-c", "2", "-W", "1", addr("c", "slow")).code).not.toBe(0);
    expect(cliSync(["link", "show", "--lab", lab]).stdout).toContain(`a:${slowA}  DOWN`);
    expect(cliSync(["link", "up", "--lab", lab, "a", slowA]).code).toBe(0);
    expect(sh("a", `cat /sys/class/net/${slowA}/carrier`).stdout.trim()).toBe("1");
    expect(exec("a", "ping", "-c", "2", "-W", "2", addr("c", "slow")).code).toBe(0);
  });

  it("comes back when the daemon is killed, with the live impairments it had", async () => {
    const pidfile = join(stateDir(), "labs", lab, "wire", "daemon.pid");
    const before = Number(readFileSync(pidfile, "utf8"));
    process.kill(before, "SIGKILL");
    await waitFor(
      "the supervisor to start a new daemon",
      () => Number(readFileSync(pidfile, "utf8")) !== before,
    );
    expect(rtt("a", addr("c", "slow"))).toBeGreaterThanOrEqual(20);
    expect(cliSync(["link", "show", "--lab", lab]).stdout).toMatch(/sends: delay 10ms/);
  });

  it("captures a relayed link from the daemon: ICMP both ways with the VMs' MACs (tshark)", () => {
    const out = join(stateDir(), `${lab}-slow.pcapng`);
    const slowA = iface("a", "slow").ifname;
    const capture = import("node:child_process").then(({ spawn }) =>
      spawn(
        process.execPath,
        ["dist/cli/bin.js", "capture", "--lab", lab, "a", slowA, "-c", "2", "-w", out, "icmp"],
        {
          env: { ...process.env, WIRELAB_STATE_DIR: stateDir() },
          stdio: ["ignore", "ignore", "pipe"],
        },
      ),
    );
    return capture.then(async (proc) => {
      await new Promise<void>((resolve) =>
        proc.stderr.on("data", (d: Buffer) => d.toString().includes("capturing") && resolve()),
      );
      expect(exec("a", "ping", "-c", "1", "-W", "2", addr("c", "slow")).code).toBe(0);
      expect(await new Promise((resolve) => proc.on("exit", resolve))).toBe(0);
      const lines = tsharkFields(out, ["eth.src", "frame.packet_flags_direction", "icmp.type"]);
      expect(lines).toEqual([
        `${iface("a", "slow").mac}\t0x00000002\t8`,
        `${iface("c", "slow").mac}\t0x00000001\t0`,
      ]);
    });
  });
});

describe("wire daemon with namespace nodes (socat on the vEth's host end)", () => {
  const { file, lab } = labFile(
    [
      "nodes: [n1, n2, n3]",
      "links:",
      "  - { n1: {}, n2: {}, n3: {}, name: hub, transport: hub }",
      "  - { n1: {}, n2: {}, name: slow, impair: { delay: 10ms } }",
      "  - { n2: {}, n3: {}, name: cut, relay: true }",
      "",
    ].join("\n"),
    "wirens",
  );
  let plan: LabPlan;
  const iface = (node: string, link: string) => interfaceOn(plan, node, link);
  const addr = (node: string, link: string) => addressOn(plan, node, link);
  const ns = (node: string) => `wl-${lab}-${node}`;
  const ping = (from: string, to: string) =>
    inNs(ns(from), ["ping", "-c", "3", "-i", "0.2", "-W", "1", to]);

  beforeAll(async () => {
    const r = await cli(["up", file]);
    expect(upWarnings(r.stderr)).toBe("");
    expect(r.code).toBe(0);
    plan = JSON.parse(cliSync(["plan", "--json", file]).stdout) as LabPlan;
  }, 60_000);

  afterAll(async () => {
    await cli(["down", file]);
    expect(leftovers(lab)).toEqual(NOTHING_LEFT);
  });

  it("plans the impaired vEth link as a relay, and runs one socat per namespace interface", () => {
    expect(plan.links.map((l) => `${l.name}:${l.transport}`)).toEqual([
      "hub:hub",
      "slow:relay",
      "cut:relay",
    ]);
    // Supervisor, daemon and a socat for each of the seven namespace interfaces.
    expect(leftovers(lab).wire).toHaveLength(9);
  });

  it("carries UDP and TCP whole: the interfaces socat reads complete checksums in software", async () => {
    expect(await udpAndTcp(ns("n2"), ns("n3"), addr("n3", "cut"))).toEqual({
      udp: "hello-udp",
      tcpBytes: 200_000,
    });
    expect(await udpAndTcp(ns("n1"), ns("n2"), addr("n2", "hub"))).toEqual({
      udp: "hello-udp",
      tcpBytes: 200_000,
    });
  });

  it("hub: an LLDP frame reaches both other nodes and never comes back to its sender", async () => {
    const lldp = lldpdu(iface("n1", "hub").mac, iface("n1", "hub").ifname, "n1");
    const send = () =>
      sendRawFrame(ns("n1"), iface("n1", "hub").ifname, "01:80:c2:00:00:0e", 0x88cc, lldp);
    for (const peer of ["n2", "n3"]) {
      const { code, out } = await captureOne(
        [
          "ip",
          "netns",
          "exec",
          ns(peer),
          "tcpdump",
          "-n",
          "-e",
          "-l",
          "-c",
          "1",
          "-i",
          iface(peer, "hub").ifname,
          "ether proto 0x88cc",
        ],
        send,
      );
      expect(code).toBe(0);
      expect(out).toContain(`${iface("n1", "hub").mac} > 01:80:c2:00:00:0e`);
    }
    // The sender's own interface receives nothing back (inbound only).
    const back = await captureOne(
      [
        "ip",
        "netns",
        "exec",
        ns("n1"),
        "timeout",
        "2",
        "tcpdump",
        "-n",
        "-e",
        "-l",
        "-Q",
        "in",
        "-c",
        "1",
        "-i",
        iface("n1", "hub").ifname,
        "ether proto 0x88cc",
      ],
      send,
    );
    expect(back.out).not.toContain("01:80:c2:00:00:0e");
    expect(ping("n1", addr("n3", "hub")).code).toBe(0);
  });

  it("hub: an STP BPDU (802.3 length, LLC 42 42 03) passes too", async () => {
    // A configuration BPDU: protocol 0, version 0, type 0, then 31 bytes of fields.
    const bpdu = Buffer.concat([Buffer.from([0x42, 0x42, 0x03, 0, 0, 0, 0]), Buffer.alloc(31)]);
    const { code, out } = await captureOne(
      [
        "ip",
        "netns",
        "exec",
        ns("n2"),
        "tcpdump",
        "-n",
        "-e",
        "-l",
        "-c",
        "1",
        "-i",
        iface("n2", "hub").ifname,
        "stp",
      ],
      () =>
        sendRawFrame(ns("n1"), iface("n1", "hub").ifname, "01:80:c2:00:00:00", bpdu.length, bpdu),
    );
    expect(code).toBe(0);
    expect(out).toMatch(/STP 802\.1d/);
  });

  it("delays the impaired vEth link by 10 ms each way", () => {
    const r = ping("n1", addr("n2", "slow"));
    expect(r.code).toBe(0);
    const avg = Number(/= [\d.]+\/([\d.]+)\//.exec(r.stdout)?.[1]);
    expect(avg).toBeGreaterThanOrEqual(20);
    expect(avg).toBeLessThan(40);
  });

  it("cuts a relayed namespace link at both ends and restores it", () => {
    const [a, b] = [iface("n2", "cut").ifname, iface("n3", "cut").ifname];
    expect(cliSync(["link", "down", "--lab", lab, "n2", a]).code).toBe(0);
    expect(inNs(ns("n3"), ["ip", "-json", "link", "show", b]).stdout).toContain(
      '"operstate":"DOWN"',
    );
    expect(ping("n2", addr("n3", "cut")).code).not.toBe(0);
    expect(cliSync(["link", "up", "--lab", lab, "n2", a]).code).toBe(0);
    expect(ping("n2", addr("n3", "cut")).code).toBe(0);
  });

  it("comes back when a socat is killed", async () => {
    const hostVeth = (
      JSON.parse(readFileSync(join(stateDir(), "labs", lab, "wire", "config.json"), "utf8")) as {
        attachments: { hostVeth: string }[];
      }
    ).attachments[0]?.hostVeth as string;
    const socatOf = () =>
      leftovers(lab).wire.find((p) => {
        try {
          return readFileSync(`/proc/${p}/cmdline`, "utf8").includes(`INTERFACE:${hostVeth}`);
        } catch {
          return false; // gone meanwhile
        }
      });
    const pid = socatOf();
    expect(pid, `a socat for ${hostVeth}`).toBeTypeOf("number");
    process.kill(pid as number, "SIGKILL");
    const again = await waitFor("a new socat for the interface", () => {
      const p = socatOf();
      return p !== undefined && p !== pid ? p : undefined;
    });
    expect(again).not.toBe(pid);
    // The new socat listens once its packet socket is bound: the ping gets through within a few tries.
    await waitFor("a ping through the new socat", () => ping("n1", addr("n2", "hub")).code === 0, {
      intervalMs: 200,
    });
  });
});
