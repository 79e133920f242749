// The "full retset": every node a query expanded, with its exact distance. The answer is the k
// best of them, whatever their PQ order was — this costs no I/O and lifts recall, most at small L.
// Grows by doubling when a query expands more nodes than any before it (then never again), so
// steady-state queries allocate nothing.

export class ResultSet {
  ids: Uint32Array;
  dists: Float32Array;
  count = 0;

  constructor(initialCapacity: number) {
    const cap = Math.max(16, initialCapacity);
    this.ids = new Uint32Array(cap);
    this.dists = new Float32Array(cap);
  }

  clear(): void {
    this.count = 0;
  }

  push(id: number, dist: number): void {
    if (this.count === this.ids.length) this.grow();
    this.ids[this.count] = id;
    this.dists[this.count] = dist;
    this.count++;
  }

  /**
   * Writes the k best (smallest distance; ties by smaller id) into outIds/outDists from outOffset and
   * returns how many there were (< k when fewer nodes were expanded). Insertion into the sorted
   * output: O(count · k) worst case, k is small.
   */
  topK(k: number, outIds: Uint32Array, outDists: Float32Array, outOffset = 0): number {
    let n = 0;
    const ids = this.ids;
    const dists = this.dists;
    for (let i = 0; i < this.count; i++) {
      const d = dists[i]!;
      const id = ids[i]!;
      if (n === k) {
        const worst = outDists[outOffset + k - 1]!;
        if (d > worst || (d === worst && id >= outIds[outOffset + k - 1]!)) continue;
      } else {
        n++;
      }
      let j = outOffset + n - 1;
      while (j > outOffset && (outDists[j - 1]! > d || (outDists[j - 1] === d && outIds[j - 1]! > id))) {
        outDists[j] = outDists[j - 1]!;
        outIds[j] = outIds[j - 1]!;
        j--;
      }
      outDists[j] = d;
      outIds[j] = id;
    }
    return n;
  }

  private grow(): void {
    const ids = new Uint32Array(this.ids.length * 2);
    const dists = new Float32Array(this.dists.length * 2);
    ids.set(this.ids);
    dists.set(this.dists);
    this.ids = ids;
    this.dists = dists;
  }
}
