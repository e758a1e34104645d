import type { Command } from "commander";
import type { CliIO } from "../io.js";
import { cliReporter } from "../progress.js";

/** Adds `wirelab image build [--force]` and `wirelab image show`. */
export function registerImage(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const image = program.command("image").description("wirelab's guest image for VM nodes");
  image
    .command("build")
    .description("build the guest image from Debian packages (skipped when up to date)")
    .option("--force", "rebuild even when up to date")
    .option("--json", "print the result as JSON")
    .option(
      "--snapshots",
      "also make the snapshots VMs of the common shapes start from (hosts and routers with 1 to 4 NICs)",
    )
    .option(
      "--dry-run",
      "resolve the packages and find every guest file; download and write nothing",
    )
    .action(
      async (opts: { force?: boolean; json?: boolean; dryRun?: boolean; snapshots?: boolean }) => {
        if (opts.dryRun) {
          const { imageBuildPlan } = await import("../../index.js");
          const plan = await imageBuildPlan();
          if (opts.json) io.out(`${JSON.stringify(plan, null, 2)}\n`);
          else {
            io.out(`${plan.upToDate ? "up to date" : "would build"}: ${plan.dir}\n`);
            for (const [p, v] of Object.entries(plan.packages)) io.out(`  package ${p} ${v}\n`);
            for (const f of plan.guestFiles) io.out(`  guest file ${f}\n`);
          }
          setExit(0);
          return;
        }
        const { buildImage } = await import("../../index.js");
        const reporter = await cliReporter(io.interactive && !opts.json);
        try {
          const { image: img, built } = await buildImage({ reporter, force: opts.force ?? false });
          const { prebuildSnapshots, commonShapes } = await import("../../index.js");
          const snapshots = opts.snapshots
            ? await prebuildSnapshots(img, await commonShapes(), { reporter })
            : [];
          reporter.stop();
          if (opts.json) io.out(`${JSON.stringify({ built, ...img, snapshots }, null, 2)}\n`);
          else {
            io.out(
              `${built ? "built" : "up to date:"} ${img.dir} (kernel ${img.manifest.kernelRelease})\n`,
            );
            for (const s of snapshots)
              io.out(
                `${s.built ? "made" : "up to date:"} snapshot ${s.snapshot.key} (${s.snapshot.shape.memoryMiB} MiB, ${s.snapshot.shape.nics} NICs)\n`,
              );
          }
        } finally {
          reporter.stop();
        }
        setExit(0);
      },
    );
  image
    .command("show")
    .description("show the cached guest image and its VM snapshots")
    .action(async () => {
      const { readImage, defaultImageDir, listSnapshots } = await import("../../index.js");
      const img = await readImage();
      if (!img) {
        io.err(
          `wirelab: no guest image in ${await defaultImageDir()}; build it with: wirelab image build\n`,
        );
        setExit(1);
        return;
      }
      const snapshots = await listSnapshots(img);
      io.out(`${JSON.stringify({ ...img, snapshots }, null, 2)}\n`);
      setExit(0);
    });
}
