import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { enhancedPacket, interfaceDescription, sectionHeader } from "../../src/capture/pcapng.js";
import { tsharkFields } from "../helpers.js";
import { ethernet, hex } from "./packets.js";

// An LLDP frame: chassis ID (MAC), port ID "eth1", TTL 120, end.
const lldp = ethernet(
  "01:80:c2:00:00:0e",
  "52:54:00:12:34:56",
  0x88cc,
  hex("0207 04 525400123456 0405 05 65746831 0602 0078 0000"),
);
const arp = ethernet(
  "ff:ff:ff:ff:ff:ff",
  "52:54:00:12:34:56",
  0x0806,
  hex("0001 0800 06 04 0001 525400123456 0a000001 000000000000 0a000002"),
);

const capture = Buffer.concat([
  sectionHeader(),
  interfaceDescription("rt1:eth1"),
  enhancedPacket(0, 1700000000123456789n, lldp, "outbound"),
  enhancedPacket(0, 1700000001000000000n, arp, "inbound"),
]);

describe("pcapng writer, read back by tshark", () => {
  const fields = [
    "frame.interface_name",
    "frame.packet_flags_direction",
    "frame.time_epoch",
    "frame.protocols",
  ];
  const expected = [
    "rt1:eth1\t0x00000002\t1700000000.123456789\teth:ethertype:lldp",
    "rt1:eth1\t0x00000001\t1700000001.000000000\teth:ethertype:arp",
  ];

  it("names the interface NODE:IFNAME, keeps ns timestamps and each frame's direction (file)", () => {
    const dir = mkdtempSync(join(tmpdir(), "wl-pcapng-"));
    try {
      writeFileSync(join(dir, "c.pcapng"), capture);
      expect(tsharkFields(join(dir, "c.pcapng"), fields)).toEqual(expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is readable as a stream on standard input", () => {
    expect(tsharkFields(capture, fields)).toEqual(expected);
    expect(tsharkFields(capture, ["lldp.port.id"])[0]).toBe("eth1");
  });
});
