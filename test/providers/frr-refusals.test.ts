import { describe, expect, it } from "vitest";
import { configRefusals, refusalMessage } from "../../src/providers/frr/refusals.js";

// What FRR 8.4's start script printed for a router whose bgpd refused two lines.
const START = `Started watchfrr
% AS specified for local as is the same as the remote as and this is not allowed.
% Invalid command. Not an internal neighbor
line 54: Failure to communicate[13] to bgpd, line:  neighbor 10.1.0.6 local-as 65101 no-prepend replace-as

line 70: Failure to communicate[13] to bgpd, line:   neighbor 10.1.0.6 route-reflector-client

Configuration file[/etc/frr/frr.conf] processing failure: 13
line 54: Failure to communicate[13] to bgpd, line:  neighbor 10.1.0.6 local-as 65101 no-prepend replace-as
`;

describe("what FRR refused of a configuration when it started", () => {
  it("lists each refused line once with its daemon, and FRR's reasons", () => {
    const r = configRefusals(START);
    expect(r).toEqual({
      lines: [
        "line 54 (bgpd): neighbor 10.1.0.6 local-as 65101 no-prepend replace-as",
        "line 70 (bgpd): neighbor 10.1.0.6 route-reflector-client",
      ],
      reasons: [
        "% AS specified for local as is the same as the remote as and this is not allowed.",
        "% Invalid command. Not an internal neighbor",
      ],
    });
    expect(refusalMessage("dut", r as NonNullable<typeof r>)).toBe(
      [
        "router dut: FRR refused 2 lines of its configuration (frr.conf):",
        "  line 54 (bgpd): neighbor 10.1.0.6 local-as 65101 no-prepend replace-as",
        "  line 70 (bgpd): neighbor 10.1.0.6 route-reflector-client",
        "FRR said:",
        "  % AS specified for local as is the same as the remote as and this is not allowed.",
        "  % Invalid command. Not an internal neighbor",
      ].join("\n"),
    );
  });

  it("is nothing when the whole configuration was taken", () => {
    expect(configRefusals("Started watchfrr\n")).toBeUndefined();
    expect(configRefusals("")).toBeUndefined();
  });
});
