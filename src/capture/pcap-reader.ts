/**
 * A streaming reader of classic pcap (what `tcpdump -w -` writes): a 24-byte
 * global header, then records of a 16-byte header and the captured bytes
 * (pcap file format, draft-ietf-opsawg-pcap). Chunks may split records
 * anywhere; each complete record is passed on as soon as it is whole.
 */

/** One captured packet, its bytes a view into the reader's buffer (copy to keep it). */
export interface PcapRecord {
  /** Capture time, nanoseconds since the Unix epoch. */
  readonly tsNs: bigint;
  /** Link-layer type of the capture (1 Ethernet, 113 Linux SLL, 276 SLL2, 0 BSD loopback, 101 raw IP). */
  readonly linktype: number;
  /** Captured bytes (at most the snap length). */
  readonly data: Buffer;
  /** Length of the packet on the wire, in bytes. */
  readonly origLen: number;
}

/** What a reader has seen. */
export interface PcapStats {
  records: number;
  /** Records whose header was inconsistent (length above 256 KiB); the reader stops at the first. */
  malformed: number;
}

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;
const MAX_RECORD = 256 * 1024;

/**
 * Feeds chunks, calls `onRecord` for each complete record.
 *
 * @throws {Error} from `push` when the stream does not start with a pcap header
 */
export class PcapReader {
  readonly stats: PcapStats = { records: 0, malformed: 0 };
  private buf: Buffer = Buffer.alloc(0);
  private little = true;
  private nanos = false;
  private linktype = -1;
  private broken = false;

  /** @param onRecord - called synchronously for every record, in order */
  constructor(private readonly onRecord: (r: PcapRecord) => void) {}

  /** Link-layer type from the global header, or -1 before it arrived. */
  get linkType(): number {
    return this.linktype;
  }

  /** Adds bytes from the stream. */
  push(chunk: Buffer): void {
    if (this.broken) return;
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    let off = 0;
    if (this.linktype < 0) {
      if (this.buf.length < 24) return;
      const le = this.buf.readUInt32LE(0);
      const be = this.buf.readUInt32BE(0);
      if (le === MAGIC_US || le === MAGIC_NS) this.little = true;
      else if (be === MAGIC_US || be === MAGIC_NS) this.little = false;
      else throw new Error(`not a pcap stream (magic 0x${le.toString(16)})`);
      this.nanos = (this.little ? le : be) === MAGIC_NS;
      this.linktype = this.u32(20) & 0x0fffffff;
      off = 24;
    }
    while (this.buf.length - off >= 16) {
      const sec = this.u32(off);
      const frac = this.u32(off + 4);
      const incl = this.u32(off + 8);
      const orig = this.u32(off + 12);
      if (incl > MAX_RECORD) {
        // A header this wrong means the stream is out of step: nothing after it can be trusted.
        this.stats.malformed++;
        this.broken = true;
        this.buf = Buffer.alloc(0);
        return;
      }
      if (this.buf.length - off - 16 < incl) break;
      const tsNs = BigInt(sec) * 1_000_000_000n + BigInt(this.nanos ? frac : frac * 1000);
      this.stats.records++;
      this.onRecord({
        tsNs,
        linktype: this.linktype,
        data: this.buf.subarray(off + 16, off + 16 + incl),
        origLen: orig,
      });
      off += 16 + incl;
    }
    this.buf = off === 0 ? this.buf : this.buf.subarray(off);
    // Do not pin a large buffer for a small remainder.
    if (this.buf.length > 0 && this.buf.byteOffset > 1 << 20) this.buf = Buffer.from(this.buf);
  }

  private u32(at: number): number {
    return this.little ? this.buf.readUInt32LE(at) : this.buf.readUInt32BE(at);
  }
}
