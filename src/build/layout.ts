// Writes `<prefix>_disk.index` in DiskANN's sector layout (format/disk-index.ts): sector 0 is the
// DiskANN C++ header, then node records packed per 4 KiB sector (or one node per run of sectors
// when a node is larger than a sector). Sectors are assembled in a 1 MiB buffer and appended to a
// temporary file; the caller commits it (rename) only when the whole build is done.
import { invariant } from "../errors.ts";
import { AtomicFileWriter } from "../format/atomic-file.ts";
import { diskLayoutFor, encodeDiskIndexHeader, encodeNodeFromBytes, type DiskLayout } from "../format/disk-index.ts";
import type { VectorType, Vectors } from "../format/vector-type.ts";
import { SECTOR_BYTES } from "../io/reader.ts";
import type { PhaseReporter } from "./phase-reporter.ts";
import type { SharedGraph } from "./shared-graph.ts";

const WRITE_BUFFER_BYTES = 1 << 20;

export interface LayoutInput {
  readonly vectors: Vectors;
  readonly npts: number;
  readonly dim: number;
  readonly type: VectorType;
  readonly R: number;
  readonly graph: SharedGraph;
  readonly medoid: number;
}

/** Streams the disk index into `writer` (a temporary file). Returns the layout used. */
export function writeDiskLayout(writer: AtomicFileWriter, input: LayoutInput, reporter?: PhaseReporter): DiskLayout {
  const { npts, dim, type, R, graph, vectors } = input;
  const layout = diskLayoutFor({ npts, dim, type, R });
  const vectorBytes = new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength);
  const coordBytes = layout.coordBytes;
  writer.append(encodeDiskIndexHeader({ npts, dim, type, R, medoid: input.medoid }));

  // Each unit is one sector (packed nodes) or one node's run of sectors.
  const unitBytes = layout.sectorsPerNode * SECTOR_BYTES;
  const nodesPerUnit = layout.nodesPerSector > 0 ? layout.nodesPerSector : 1;
  const unitsPerBuffer = Math.max(1, Math.floor(WRITE_BUFFER_BYTES / unitBytes));
  const buffer = new Uint8Array(unitsPerBuffer * unitBytes);
  const units = Math.ceil(npts / nodesPerUnit);
  const phase = reporter?.start("disk layout", npts);

  for (let firstUnit = 0; firstUnit < units; firstUnit += unitsPerBuffer) {
    const count = Math.min(unitsPerBuffer, units - firstUnit);
    buffer.fill(0, 0, count * unitBytes);
    for (let u = 0; u < count; u++) {
      const unit = buffer.subarray(u * unitBytes, (u + 1) * unitBytes);
      const firstNode = (firstUnit + u) * nodesPerUnit;
      const lastNode = Math.min(npts, firstNode + nodesPerUnit);
      for (let id = firstNode; id < lastNode; id++) {
        const degree = graph.degree[id]!;
        if (degree > R) invariant(false, `node ${id} has degree ${degree} > R ${R} after cleanup`);
        encodeNodeFromBytes(layout, unit, id, vectorBytes, id * coordBytes, graph.nbrs, id * graph.slots, degree);
      }
    }
    writer.append(buffer.subarray(0, count * unitBytes));
    phase?.update(Math.min(npts, (firstUnit + count) * nodesPerUnit));
  }
  phase?.finish();
  invariant(
    writer.bytesWritten === layout.layoutBytes,
    `disk index is ${writer.bytesWritten} bytes, layout says ${layout.layoutBytes}`,
  );
  return layout;
}
