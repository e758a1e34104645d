/**
 * Findings 10, 11 and part of 14: QEMU start failures keep their reason and
 * their log until `down`; user paths with commas reach QEMU as one value;
 * image files that are not regular files are refused before anything starts.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readImage } from "../../src/image/build.js";
import { cliSync, labFile, leftovers, NOTHING_LEFT, stateDir } from "../integration/lab-helpers.js";
import { crashed, down, printTable, RUNS, Tally } from "./helpers.js";

const tallies: Tally[] = [];
afterAll(() => printTable(tallies));

describe("a VM that QEMU refuses to start", () => {
  it("says QEMU's reason, keeps its log until down, and leaves nothing else", () => {
    const tally = new Tally("QEMU refuses a VM (memory 65536 MiB)");
    tallies.push(tally);
    for (let run = 0; run < RUNS; run++) {
      const { file, lab } = labFile(
        "nodes:\n  v1: { kind: vm, memory: 65536 }\n  n1: {}\nlinks: [n1-v1]\n",
        `qemufail${run}`,
      );
      const r = cliSync(["up", file]);
      const log = join(stateDir(), "labs", lab, "vm", "v1.log");
      const kept =
        existsSync(log) && readFileSync(log, "utf8").includes("cannot set up guest memory");
      const left = leftovers(lab);
      const record = existsSync(join(stateDir(), "labs", lab, "state.json"));
      const gone = down(lab);
      const ok =
        r.code === 1 &&
        /cannot set up guest memory/.test(r.stderr) &&
        r.stderr.includes(log) &&
        kept &&
        !record &&
        !crashed(r) &&
        gone.code === 0 &&
        !existsSync(join(stateDir(), "labs", lab));
      tally.add(ok, JSON.stringify(left) !== JSON.stringify(NOTHING_LEFT));
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /VM v1: QEMU exited with code 1:\n\s+qemu-system-x86_64: cannot set up guest memory/,
      );
      expect(r.stderr).toContain(`kept until "wirelab down --lab ${lab}"`);
      expect(kept, "QEMU's log is kept").toBe(true);
      expect(record).toBe(false);
      expect(left).toEqual(NOTHING_LEFT);
      expect(gone.stdout).toContain("removed the logs of its failed up");
      expect(existsSync(join(stateDir(), "labs", lab))).toBe(false);
    }
  });

  it("refuses image files that are not regular files before anything starts", () => {
    const tally = new Tally("image: a folder, kernel: /dev/zero");
    tallies.push(tally);
    const dir = mkdtempSync(join(tmpdir(), "wl-odd-"));
    try {
      for (const [what, attrs] of [
        ["a folder", `image: ${dir}`],
        ["a device", `image: ${join(dir, "disk.img")}, kernel: /dev/zero`],
      ] as const) {
        writeFileSync(join(dir, "disk.img"), Buffer.alloc(1 << 16));
        const { file, lab } = labFile(
          `nodes:\n  v1: { kind: vm, ${attrs} }\n`,
          `odd${what.length}`,
        );
        const r = cliSync(["up", file]);
        const ok = r.code === 1 && /must be regular files/.test(r.stderr) && !crashed(r);
        tally.add(ok, existsSync(join(stateDir(), "labs", lab)));
        expect(r.code, r.stderr).toBe(1);
        expect(r.stderr).toMatch(/image files must be regular files; these are not: /);
        expect(existsSync(join(stateDir(), "labs", lab))).toBe(false);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("paths with commas", () => {
  it("a state folder and a user image with commas in their paths: QEMU gets each as one value", async () => {
    const tally = new Tally("commas in the state folder and an image path");
    tallies.push(tally);
    const image = await readImage();
    expect(image?.kernel, "the guest image is built").toBeTypeOf("string");
    const work = mkdtempSync(join(tmpdir(), "wl-comma,"));
    const state = join(work, "state,if=none");
    const images = join(work, "images,snapshot=off");
    mkdirSync(images);
    writeFileSync(join(images, "router,1.img"), Buffer.alloc(1 << 20));
    copyFileSync(image?.kernel as string, join(images, "vmlinuz"));
    copyFileSync(image?.initrd as string, join(images, "initrd.gz"));
    const env = { WIRELAB_STATE_DIR: state };
    const { file, lab } = labFile(
      `
nodes:
  v1: { kind: vm }
  v2: { kind: vm }
  vr: { kind: vm, image: "${join(images, "router,1.img")}", kernel: "${join(images, "vmlinuz")}", initrd: "${join(images, "initrd.gz")}" }
  n1: {}
links: [n1-v1, { v1: {}, v2: {}, relay: true }, v2-vr]
`,
      "comma",
    );
    try {
      const upped = cliSync(["up", file], env);
      const relay = cliSync(
        ["exec", "--lab", lab, "v1", "--", "ping", "-c", "1", "-W", "5", "10.1.0.6"],
        env,
      );
      const tap = cliSync(
        ["exec", "--lab", lab, "n1", "--", "ping", "-c", "1", "-W", "5", "10.1.0.2"],
        env,
      );
      const pid = Number(readFileSync(join(state, "labs", lab, "vm", "vr.pid"), "utf8"));
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      const drive = `file=${join(images, "router,1.img").replaceAll(",", ",,")},if=virtio,snapshot=on,format=raw`;
      const ok = upped.code === 0 && relay.code === 0 && tap.code === 0 && cmdline.includes(drive);
      tally.add(ok, false);
      expect(upped.code, upped.stderr).toBe(0);
      expect(relay.code, "v1 reaches v2 over the relay (stream sockets in the state folder)").toBe(
        0,
      );
      expect(tap.code, "n1 reaches v1 over the tap").toBe(0);
      expect(cmdline).toContain(drive);
    } finally {
      expect(cliSync(["down", "--lab", lab], env).code).toBe(0);
      expect(leftovers(lab)).toEqual(NOTHING_LEFT);
      rmSync(work, { recursive: true, force: true });
    }
  });
});
