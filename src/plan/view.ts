/**
 * Look-ups into a finished plan, shared by whatever reads one: nodes by
 * name, interfaces, links, and each node's kind facts.
 */
import { attachmentOf, namespaceOf } from "./kinds/index.js";
import type { Attachment } from "./kinds/types.js";
import type { InterfacePlan, LabPlan, LinkPlan, NodePlan } from "./types.js";

/** Indexes of one plan. */
export class PlanView {
  private readonly nodes: ReadonlyMap<string, NodePlan>;
  private readonly links: ReadonlyMap<string, LinkPlan>;

  constructor(readonly plan: LabPlan) {
    this.nodes = new Map(plan.nodes.map((n) => [n.name, n]));
    this.links = new Map(plan.links.map((l) => [l.name, l]));
  }

  /** @throws {Error} when the plan has no such node */
  node(name: string): NodePlan {
    const n = this.nodes.get(name);
    if (!n) throw new Error(`the plan has no node ${name}`);
    return n;
  }

  hasNode(name: string): boolean {
    return this.nodes.has(name);
  }

  /** @throws {Error} when the node has no such interface */
  iface(node: string, ifname: string): InterfacePlan {
    const i = this.node(node).interfaces.find((x) => x.ifname === ifname);
    if (!i) throw new Error(`node ${node} has no interface ${ifname}`);
    return i;
  }

  /** @throws {Error} when the plan has no such link */
  link(name: string): LinkPlan {
    const l = this.links.get(name);
    if (!l) throw new Error(`the plan has no link ${name}`);
    return l;
  }

  /** The link a node's interface is on. */
  linkOf(node: string, ifname: string): LinkPlan {
    return this.link(this.iface(node, ifname).link);
  }

  attachment(node: string): Attachment {
    return attachmentOf(this.node(node));
  }

  /** The node's network namespace, if its kind has one. */
  namespace(node: string): string | undefined {
    return namespaceOf(this.node(node));
  }

  /**
   * The 1-based position of a node's interface (a VM's NIC number).
   * @throws {Error} when the node has no such interface
   */
  ifIndex(node: string, ifname: string): number {
    const i = this.node(node).interfaces.findIndex((x) => x.ifname === ifname);
    if (i < 0) throw new Error(`node ${node} has no interface ${ifname}`);
    return i + 1;
  }

  mac(node: string, ifname: string): string {
    return this.iface(node, ifname).mac;
  }
}
