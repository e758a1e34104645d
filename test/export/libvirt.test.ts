/**
 * libvirt export: golden files for the VM examples (fixed ports and image
 * paths), every file valid for libvirt (`virt-xml-validate`, Debian
 * libvirt-clients), and the UDP tunnel ends crossed as libvirt wants them.
 * After a deliberate change: UPDATE_GOLDEN=1 npx vitest run test/export.
 */

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { libvirtExport } from "../../src/export/libvirt.js";
import { planOfFile } from "../helpers.js";
import { fixedPorts, image } from "./fixtures.js";

describe("libvirt export", () => {
  const scratch = mkdtempSync(join(tmpdir(), "wl-libvirt-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  for (const example of ["six-routers-vm", "six-routers-mixed"]) {
    it(`${example}: as in its golden files, and every file valid for libvirt`, () => {
      const plan = planOfFile(`examples/${example}.yml`);
      const files = libvirtExport(plan, { dir: "/srv/lab", image, ports: fixedPorts(plan) });
      for (const [name, text] of Object.entries(files)) {
        const golden = `test/golden/libvirt/${example}/${name}`;
        if (process.env.UPDATE_GOLDEN) {
          execFileSync("mkdir", ["-p", `test/golden/libvirt/${example}`]);
          writeFileSync(golden, text);
        }
        expect(existsSync(golden), `${golden} is missing; UPDATE_GOLDEN=1 writes it`).toBe(true);
        expect(text, golden).toBe(readFileSync(golden, "utf8"));
        const path = join(scratch, `${example}-${name}`);
        writeFileSync(path, text);
        // Exits non-zero unless the file matches libvirt's RelaxNG schema.
        const v = spawnSync("virt-xml-validate", [path], { encoding: "utf8" });
        expect(`${v.stdout}${v.stderr}`, name).toContain("validates");
        expect(v.status, name).toBe(0);
      }
    });
  }

  it("crosses the tunnel ends: each VM sends to the other's local port", () => {
    const plan = planOfFile("examples/six-routers-vm.yml");
    const files = libvirtExport(plan, { dir: "/srv/lab", image, ports: fixedPorts(plan) });
    const ends = (xml: string) =>
      [
        ...xml.matchAll(
          /<source address='127.0.0.1' port='(\d+)'>\s*<local address='127.0.0.1' port='(\d+)'/g,
        ),
      ].map((m) => [Number(m[1]), Number(m[2])] as const);
    const rt1 = ends(files["rt1.xml"] as string);
    const rt2 = ends(files["rt2.xml"] as string);
    // br2 joins rt1 and rt2: rt1 sends where rt2 listens and back.
    const crossed = rt2.filter(([src, local]) => rt1.some(([s, l]) => s === local && l === src));
    expect(
      crossed,
      `rt1 ends ${JSON.stringify(rt1)}, rt2 ends ${JSON.stringify(rt2)}`,
    ).toHaveLength(1);
  });

  it("refuses a lab without VMs", () => {
    expect(() =>
      libvirtExport(planOfFile("examples/six-routers.yml"), {
        dir: "/x",
        image,
        ports: { udp: {}, tcp: {} },
      }),
    ).toThrow(/has no VM nodes/);
  });
});
