// Sorts parallel (distance, id) arrays by ascending distance, ties by id, in place, without
// closures or allocation (the pool of a prune is a few hundred entries, sorted once per insert).

export function sortByDistance(dists: Float32Array, ids: Uint32Array, lo: number, hi: number): void {
  // [lo, hi) — quicksort with insertion sort for short ranges; recursion depth O(log n) expected.
  while (hi - lo > 24) {
    const mid = (lo + hi) >>> 1;
    const pivotD = median3(dists[lo]!, dists[mid]!, dists[hi - 1]!);
    let i = lo;
    let j = hi - 1;
    while (i <= j) {
      while (dists[i]! < pivotD) i++;
      while (dists[j]! > pivotD) j--;
      if (i <= j) {
        swap(dists, ids, i, j);
        i++;
        j--;
      }
    }
    // Recurse into the smaller side, loop on the larger.
    if (j - lo < hi - i) {
      sortByDistance(dists, ids, lo, j + 1);
      lo = i;
    } else {
      sortByDistance(dists, ids, i, hi);
      hi = j + 1;
    }
  }
  for (let i = lo + 1; i < hi; i++) {
    const d = dists[i]!;
    const id = ids[i]!;
    let j = i - 1;
    while (j >= lo && (dists[j]! > d || (dists[j] === d && ids[j]! > id))) {
      dists[j + 1] = dists[j]!;
      ids[j + 1] = ids[j]!;
      j--;
    }
    dists[j + 1] = d;
    ids[j + 1] = id;
  }
}

function median3(a: number, b: number, c: number): number {
  if (a < b) return b < c ? b : a < c ? c : a;
  return a < c ? a : b < c ? c : b;
}

function swap(dists: Float32Array, ids: Uint32Array, i: number, j: number): void {
  const d = dists[i]!;
  dists[i] = dists[j]!;
  dists[j] = d;
  const id = ids[i]!;
  ids[i] = ids[j]!;
  ids[j] = id;
}
