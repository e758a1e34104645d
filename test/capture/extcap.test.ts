/**
 * The extcap program's argument handling and sentences, without a lab:
 * interface names both ways, the listing of running labs' interfaces, the
 * link type, the installed script (checked by shellcheck and run as
 * Wireshark runs it), and the CLI's answers to Wireshark's calls.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { installExtcap, uninstallExtcap } from "../../src/capture/extcap.js";
import {
  extcapDlts,
  extcapInterfaces,
  extcapName,
  parseExtcapName,
} from "../../src/capture/extcap-names.js";
import { main } from "../../src/cli/main.js";
import { UsageError } from "../../src/errors.js";
import type { LabState } from "../../src/lab/state.js";
import { planOfFile } from "../helpers.js";

const dir = mkdtempSync(join(tmpdir(), "wirelab-extcap-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stateOf = (file: string, lab: string): LabState =>
  ({ lab, status: "up", plan: { ...planOfFile(file), lab } }) as unknown as LabState;

/** Runs the CLI in this process; its exit code and output. */
async function run(argv: readonly string[]) {
  let out = "";
  let err = "";
  const code = await main(argv, {
    out: (t: string) => {
      out += t;
    },
    err: (t: string) => {
      err += t;
    },
    interactive: false,
  } as unknown as Parameters<typeof main>[1]);
  return { code, out, err };
}

describe("extcap interface names", () => {
  it("round-trips lab, node and interface", () => {
    const i = { lab: "six-routers", node: "rt1", ifname: "eth2" };
    expect(extcapName(i)).toBe("wirelab:six-routers:rt1:eth2");
    expect(parseExtcapName(extcapName(i))).toEqual(i);
  });
  it("refuses names that are not wirelab's, saying what they look like", () => {
    for (const bad of [
      "eth0",
      "wirelab:lab:node",
      "udpdump:a:b:c",
      "wirelab:a:b:c:d",
      "wirelab::b:c",
    ])
      expect(() => parseExtcapName(bad), bad).toThrow(UsageError);
    expect(() => parseExtcapName("eth0")).toThrow(/wirelab:LAB:NODE:IFNAME/);
  });
});

describe("--extcap-interfaces", () => {
  it("lists every interface of every lab, sorted by lab, with what it is joined to", () => {
    const text = extcapInterfaces("1.2.3", [
      stateOf("examples/six-routers.yml", "zeta"),
      stateOf("examples/lan.yml", "alpha"),
    ]);
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toBe(
      "extcap {version=1.2.3}{display=wirelab: the interfaces of running labs}",
    );
    expect(lines[1]).toBe(
      "interface {value=wirelab:alpha:a:eth1}{display=wirelab alpha: a eth1, link lan1 (LAN), bridge}",
    );
    expect(lines).toContain(
      "interface {value=wirelab:zeta:rt1:eth2}{display=wirelab zeta: rt1 eth2, link br2 to rt2 eth1, veth}",
    );
    const six = planOfFile("examples/six-routers.yml");
    const count = six.nodes.reduce((n, x) => n + x.interfaces.length, 0) + 3;
    expect(lines).toHaveLength(1 + count);
    for (const l of lines.slice(1))
      expect(l).toMatch(/^interface \{value=[^{}]+\}\{display=[^{}]+\}$/);
  });
  it("is the program's sentence alone when no lab runs", () => {
    expect(extcapInterfaces("0.1.0", [])).toBe(
      "extcap {version=0.1.0}{display=wirelab: the interfaces of running labs}\n",
    );
  });
});

describe("the installed program", () => {
  it("is an executable sh script that shellcheck accepts, answering settings and link type itself", async () => {
    const r = await installExtcap(["/usr/bin/node", "/opt/wire lab/dist/cli/bin.js"], { dir });
    expect(r.path).toBe(join(dir, "wirelab"));
    expect(statSync(r.path).mode & 0o777).toBe(0o755);
    execFileSync("shellcheck", ["-s", "sh", r.path]);
    expect(readFileSync(r.path, "utf8")).toContain(
      `exec '/usr/bin/node' '/opt/wire lab/dist/cli/bin.js' extcap "$@"`,
    );
    const dlts = spawnSync(r.path, ["--extcap-interface", "wirelab:a:b:c", "--extcap-dlts"], {
      encoding: "utf8",
    });
    expect(dlts).toMatchObject({ status: 0, stdout: extcapDlts() });
    const config = spawnSync(r.path, ["--extcap-config", "--extcap-interface", "wirelab:a:b:c"], {
      encoding: "utf8",
    });
    expect(config).toMatchObject({ status: 0, stdout: "" });
  });
  it("is removed by uninstall, and a file wirelab did not write is left alone", async () => {
    await installExtcap(["/usr/bin/node", "/x/bin.js"], { dir });
    expect(await uninstallExtcap({ dir })).toBe(join(dir, "wirelab"));
    expect(await uninstallExtcap({ dir })).toBeUndefined();
    writeFileSync(join(dir, "wirelab"), "#!/bin/sh\necho someone else's\n");
    await expect(uninstallExtcap({ dir })).rejects.toThrow(/not written by wirelab/);
    rmSync(join(dir, "wirelab"));
  });
});

describe("wirelab extcap, as Wireshark calls it", () => {
  it("gives the link type and no settings", async () => {
    expect(
      await run(["extcap", "--extcap-interface", "wirelab:l:n:eth1", "--extcap-dlts"]),
    ).toMatchObject({
      code: 0,
      out: extcapDlts(),
    });
    expect(
      await run(["extcap", "--extcap-config", "--extcap-interface", "wirelab:l:n:eth1"]),
    ).toMatchObject({
      code: 0,
      out: "",
    });
  });
  it("refuses a foreign interface and a capture without a fifo (usage errors, exit 2)", async () => {
    const foreign = await run(["extcap", "--extcap-interface", "eth0", "--extcap-dlts"]);
    expect(foreign.code).toBe(2);
    expect(foreign.err).toContain("wirelab:LAB:NODE:IFNAME");
    const noFifo = await run(["extcap", "--extcap-interface", "wirelab:l:n:eth1", "--capture"]);
    expect(noFifo.code).toBe(2);
    expect(noFifo.err).toContain("--fifo");
    const nothing = await run(["extcap"]);
    expect(nothing.code).toBe(2);
    const action = await run(["extcap", "instal"]);
    expect(action.err).toContain('unknown action "instal"');
  });
  it("lists nothing but itself from an empty state directory (no root needed)", async () => {
    const old = process.env.WIRELAB_STATE_DIR;
    process.env.WIRELAB_STATE_DIR = join(dir, "no-such-state");
    try {
      const r = await run(["extcap", "--extcap-interfaces", "--extcap-version=4.0"]);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^extcap \{version=[^}]+\}\{display=[^}]+\}\n$/);
    } finally {
      if (old === undefined) delete process.env.WIRELAB_STATE_DIR;
      else process.env.WIRELAB_STATE_DIR = old;
    }
  });
});
