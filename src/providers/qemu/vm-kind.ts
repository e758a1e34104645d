/**
 * Running `vm` nodes: commands through the guest's command agent, a link
 * end cut by taking the NIC's carrier away (QMP `set_link`, QEMU docs "QMP
 * Reference"), a restart by stopping and starting its QEMU (its wires
 * outlive it: taps persist, ports stay recorded), its serial console on a
 * unix socket.
 */
import { LabError } from "../../errors.js";
import { runsCommands } from "../../plan/kinds/index.js";
import { sshKey } from "../../plan/ports.js";
import type { VmNodePlan } from "../../plan/types.js";
import type { LiveInterface, NodeKind } from "../node-kind.js";
import { DEFAULT_COMMAND_TIMEOUT_MS } from "./agent.js";
import { netdevId } from "./args.js";
import { qemuPid, restartVm, stopVms } from "./provider.js";
import { qmp } from "./qmp.js";

/** How long `status` waits for a VM's interfaces, in ms. */
const STATUS_TIMEOUT_MS = 5000;

/** The runtime half of `kind: vm`. */
export const vmKind: NodeKind<VmNodePlan> = {
  name: "vm",
  async exec(s, node, argv, options = {}) {
    if (!runsCommands(node)) {
      throw new LabError(
        `"${node.name}" runs a user image, which has no wirelab command agent; use "wirelab console ${node.name}" or SSH to its management port`,
      );
    }
    const agent = await s.agents.get(node.name);
    const r = await agent.run(argv, options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS);
    if (options.interactive) {
      process.stdout.write(r.stdout);
      process.stderr.write(r.stderr);
    }
    return r;
  },
  async status(s, node) {
    const port = s.ports.tcp[sshKey(node.name)];
    const ssh = port !== undefined ? { sshPort: port } : {};
    const running = (await qemuPid(s.plan.lab, node.name, s.layout)) !== undefined;
    // A user's image has no agent: its interfaces are its own business.
    if (!running || !runsCommands(node)) return { present: running, ...ssh };
    try {
      const r = await vmKind.exec(s, node, ["ip", "-json", "address", "show"], {
        timeoutMs: STATUS_TIMEOUT_MS,
      });
      const interfaces = r.exitCode === 0 ? (JSON.parse(r.stdout) as LiveInterface[]) : [];
      return { present: true, interfaces, ...ssh };
    } catch {
      return { present: true, interfaces: [], ...ssh };
    }
  },
  async setLinkState(s, node, ifname, up) {
    // The guest's NIC loses carrier: its link goes down inside.
    await qmp(s.layout.vm(node.name).qmp, [
      { execute: "set_link", arguments: { name: netdevId(node, ifname), up } },
    ]);
  },
  async restart(s, node) {
    await restartVm(s, s.images, node.name);
  },
  async stop(s, node) {
    await stopVms({ lab: s.plan.lab, layout: s.layout }, [node.name]);
  },
  async start(s, node) {
    await restartVm(s, s.images, node.name);
  },
  consoleSocket: (s, node) => s.layout.vm(node.name).console,
};
