/**
 * The files of a running lab, under its directory in the state store
 * (`<state>/labs/<lab>/`, see docs/design.md, "State"). Every provider takes
 * its paths from here, so none needs to know another's:
 *
 *     state.json, lock             the lab's record (lab/state.ts)
 *     vm/<node>.{pid,log,initrd}   a VM's QEMU: pidfile, messages, initramfs
 *     vm/<node>.{cmd,console,qmp}  its agent, serial console and QMP sockets
 *     vm/<node>.console.log        what its console printed
 *     vm/<node>.n<i>.sock          its i-th NIC on a wire-daemon link
 *                                  (QEMU listens, the daemon connects)
 *     wire/                        the wire daemon: config, control socket,
 *                                  live state, pidfiles, log
 *     routers/<node>/{etc,run,log} a namespace router's /etc/frr, /run/frr
 *                                  and /var/log/frr (bound there in its own
 *                                  mount namespace)
 */
import { join } from "node:path";

/** Files of one VM. */
export interface VmFiles {
  readonly dir: string;
  /** Command agent socket (virtio-serial `wirelab.cmd`). */
  readonly agent: string;
  /** Serial console socket. */
  readonly console: string;
  /** What the console printed. */
  readonly consoleLog: string;
  readonly pidfile: string;
  /** QMP monitor socket (link state). */
  readonly qmp: string;
  /** QEMU's own messages (its stderr and `-D` log). */
  readonly log: string;
  readonly initrd: string;
}

/** Files of the wire daemon. */
export interface WireFiles {
  readonly dir: string;
  readonly config: string;
  readonly control: string;
  /** Live changes (impairments, ports down), kept across restarts of the daemon. */
  readonly liveState: string;
  readonly pidfile: string;
  readonly supervisorPidfile: string;
  readonly log: string;
}

/** Files of a router run by the host (a namespace node's FRR). */
export interface RouterFiles {
  readonly dir: string;
  /** Its `/etc/frr`: daemons, frr.conf, vtysh.conf. */
  readonly etc: string;
  /** Its `/run/frr`: pid files and vty sockets. */
  readonly run: string;
  /** Its `/var/log/frr`. */
  readonly log: string;
}

/** Where a lab's files are. */
export interface LabLayout {
  readonly dir: string;
  /** The folder of the VMs' files. */
  readonly vmDir: string;
  vm(node: string): VmFiles;
  router(node: string): RouterFiles;
  readonly wire: WireFiles;
  /**
   * The unix socket of a VM NIC on a wire-daemon link (`-netdev stream`):
   * QEMU listens on it, the daemon connects to it.
   *
   * @param index - the NIC's 1-based position among the node's interfaces
   */
  nicSocket(node: string, index: number): string;
  /**
   * The unix socket of one of the four chardevs of a VM NIC spliced onto
   * the wire daemon live: what the guest sends (`go`), what it is handed
   * (`gi`), what its backend hands it (`no`), what is sent into the
   * backend (`ni`). QEMU listens, the daemon connects.
   */
  spliceSocket(node: string, index: number, which: SpliceChannel): string;
}

/** One of the four chardevs of a spliced VM NIC (see {@link LabLayout.spliceSocket}). */
export type SpliceChannel = "go" | "gi" | "no" | "ni";

/** @param labDir - the lab's directory in the state store */
export function labLayout(labDir: string): LabLayout {
  const vmDir = join(labDir, "vm");
  const wireDir = join(labDir, "wire");
  return {
    dir: labDir,
    vmDir,
    vm: (node) => ({
      dir: vmDir,
      agent: join(vmDir, `${node}.cmd`),
      console: join(vmDir, `${node}.console`),
      consoleLog: join(vmDir, `${node}.console.log`),
      pidfile: join(vmDir, `${node}.pid`),
      qmp: join(vmDir, `${node}.qmp`),
      log: join(vmDir, `${node}.log`),
      initrd: join(vmDir, `${node}.initrd`),
    }),
    router: (node) => {
      const dir = join(labDir, "routers", node);
      return { dir, etc: join(dir, "etc"), run: join(dir, "run"), log: join(dir, "log") };
    },
    wire: {
      dir: wireDir,
      config: join(wireDir, "config.json"),
      control: join(wireDir, "control.sock"),
      liveState: join(wireDir, "live.json"),
      pidfile: join(wireDir, "daemon.pid"),
      supervisorPidfile: join(wireDir, "supervisor.pid"),
      log: join(wireDir, "wire.log"),
    },
    // Short: a unix socket path holds at most 107 bytes.
    nicSocket: (node, index) => join(vmDir, `${node}.n${index}.sock`),
    spliceSocket: (node, index, which) => join(vmDir, `${node}.n${index}.${which}.sock`),
  };
}
