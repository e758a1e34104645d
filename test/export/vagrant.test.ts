/**
 * Vagrant export: golden file for the VM examples (fixed ports and image
 * paths), Ruby syntax checked with `ruby -c` (Debian ruby), and the tunnel
 * ends crossed. After a deliberate change: UPDATE_GOLDEN=1 npx vitest run test/export.
 */

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { vagrantExport } from "../../src/export/vagrant.js";
import { planOfFile } from "../helpers.js";
import { fixedPorts, image } from "./fixtures.js";

describe("vagrant export", () => {
  for (const example of ["six-routers-vm", "six-routers-mixed"]) {
    it(`${example}: as in its golden file, and valid Ruby`, () => {
      const plan = planOfFile(`examples/${example}.yml`);
      const text = vagrantExport(plan, `examples/${example}.yml`, {
        dir: "/srv/lab",
        image,
        ports: fixedPorts(plan),
      });
      const golden = `test/golden/${example}.Vagrantfile`;
      if (process.env.UPDATE_GOLDEN) writeFileSync(golden, text);
      expect(existsSync(golden), `${golden} is missing; UPDATE_GOLDEN=1 writes it`).toBe(true);
      expect(text, golden).toBe(readFileSync(golden, "utf8"));
      const r = spawnSync("ruby", ["-c"], { input: text, encoding: "utf8" });
      expect(r.stdout.trim()).toBe("Syntax OK");
    });
  }

  it("crosses the tunnel ends: local port here is the far end's tunnel port", () => {
    const plan = planOfFile("examples/six-routers-vm.yml");
    const text = vagrantExport(plan, "x.yml", { dir: "/srv", image, ports: fixedPorts(plan) });
    const pairs = [
      ...text.matchAll(
        /tunnel_local_port => "(\d+)",\n\s+:libvirt__tunnel_ip => "127.0.0.1",\n\s+:libvirt__tunnel_port => "(\d+)"/g,
      ),
    ].map((m) => [m[1], m[2]]);
    expect(pairs.length).toBe(10);
    for (const [local, remote] of pairs) {
      expect(pairs).toContainEqual([remote, local]);
    }
  });
});
