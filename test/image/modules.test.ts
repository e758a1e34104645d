import { describe, expect, it } from "vitest";
import { moduleLoadOrder, moduleName } from "../../src/image/modules.js";

const dep = [
  "kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko kernel/net/core/failover.ko kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko",
  "kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko",
  "kernel/net/core/failover.ko:",
  "kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko",
  "kernel/drivers/virtio/virtio_ring.ko:",
  "kernel/drivers/char/virtio_console.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko",
].join("\n");

describe("moduleLoadOrder", () => {
  it("puts dependencies first and loads each module once", () => {
    expect(moduleLoadOrder(dep, ["virtio_net", "virtio_console"])).toEqual([
      "kernel/net/core/failover.ko",
      "kernel/drivers/net/net_failover.ko",
      "kernel/drivers/virtio/virtio_ring.ko",
      "kernel/drivers/virtio/virtio.ko",
      "kernel/drivers/net/virtio_net.ko",
      "kernel/drivers/char/virtio_console.ko",
    ]);
  });
  it("fails on a module the kernel lacks", () => {
    expect(() => moduleLoadOrder(dep, ["bonding"])).toThrow(/bonding/);
  });
  it("names modules as modprobe does", () => {
    expect(moduleName("kernel/net/8021q/8021q.ko.xz")).toBe("8021q");
    expect(moduleName("kernel/x/sch-netem.ko")).toBe("sch_netem");
  });
});
