// The graph under construction, in SharedArrayBuffers so every build Worker sees one copy:
// node i's neighbours are nbrs[i*slots .. i*slots + degree[i]), with `slots` = ceil(1.3 R) so reverse
// edges can be appended for a while before a node must be pruned back to R (DiskANN's slack).
// Writers hold the node's spin lock (Atomics); readers in the greedy search read without it — a
// racing read sees some mix of old and new ids, all valid node ids, which the search tolerates.

export const GRAPH_SLACK = 1.3;

export interface SharedGraphBuffers {
  readonly npts: number;
  readonly slots: number;
  readonly nbrs: SharedArrayBuffer;
  readonly degree: SharedArrayBuffer;
  readonly locks: SharedArrayBuffer;
}

export class SharedGraph {
  readonly npts: number;
  /** Neighbour slots per node (≥ R). */
  readonly slots: number;
  readonly nbrs: Uint32Array;
  readonly degree: Uint32Array;
  private readonly locks: Int32Array;
  readonly buffers: SharedGraphBuffers;

  constructor(buffers: SharedGraphBuffers) {
    this.buffers = buffers;
    this.npts = buffers.npts;
    this.slots = buffers.slots;
    this.nbrs = new Uint32Array(buffers.nbrs);
    this.degree = new Uint32Array(buffers.degree);
    this.locks = new Int32Array(buffers.locks);
  }

  static allocate(npts: number, R: number): SharedGraph {
    const slots = Math.ceil(GRAPH_SLACK * R);
    return new SharedGraph({
      npts,
      slots,
      nbrs: new SharedArrayBuffer(npts * slots * 4),
      degree: new SharedArrayBuffer(npts * 4),
      locks: new SharedArrayBuffer(npts * 4),
    });
  }

  static bytesFor(npts: number, R: number): number {
    return npts * (Math.ceil(GRAPH_SLACK * R) * 4 + 8);
  }

  lock(node: number): void {
    const locks = this.locks;
    while (Atomics.compareExchange(locks, node, 0, 1) !== 0) {
      // Critical sections are a few dozen stores; spinning beats sleeping here.
    }
  }

  unlock(node: number): void {
    Atomics.store(this.locks, node, 0);
  }
}
