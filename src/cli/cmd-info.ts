// `ringann info PREFIX`: what an index holds — disk header fields, derived R and layout, PQ files,
// entry graph, sidecar — each file validated with the same parsers search uses.
import { existsSync, readFileSync, statSync } from "node:fs";
import { UsageError } from "../errors.ts";
import { parseDiskIndexHeader, type DiskIndexMeta } from "../format/disk-index.ts";
import { withFileRange } from "../format/file-range.ts";
import { indexDataKind } from "../format/index-sidecar.ts";
import { parseMemIndexGraph, parseMemIndexTags } from "../format/mem-index.ts";
import { NODE_TAGS_SUFFIX, readNodeTags, readPageMeta } from "../format/page-layout.ts";
import { parsePqCompressed, parsePqPivots } from "../format/pq-files.ts";
import { VECTOR_TYPES, METRICS, type Metric, type VectorType } from "../format/vector-type.ts";
import { flagBool, flagString, parseArgs, renderHelp, type FlagSpec } from "./args.ts";
import { EXIT_OK, type Command } from "./command.ts";

const FLAGS: Record<string, FlagSpec> = {
  type: { type: "string", help: "vector type when there is no _ringann.json sidecar (float32 | uint8 | int8)" },
  metric: { type: "string", help: "metric when there is no sidecar (l2 | ip | cosine)" },
  json: { type: "boolean", help: "print one JSON object instead of text" },
};

const USAGE = "ringann info PREFIX [--type float32|uint8|int8] [--json]";

function mb(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MB`;
}

export const command: Command = {
  name: "info",
  summary: "print what an index holds (header, R, PQ, sizes, medoid)",
  help: renderHelp(
    USAGE,
    "Reads PREFIX_disk.index (sector 0), the PQ files, the entry graph and the sidecar, checks them against each\n" +
      "other, and prints what they hold. Works on indexes written by ringann, DiskANN or PipeANN.",
    FLAGS,
    ["ringann info idx/fmnist", "ringann info test/fixtures/pipeann-syn10k/syn10k --json"],
  ),
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, FLAGS);
    const prefix = args.positionals[0];
    if (prefix === undefined || args.positionals.length > 1)
      throw new UsageError("Expected exactly one PREFIX (the path before _disk.index)");
    const typeFlag = flagString(args, "type");
    if (typeFlag !== undefined && !VECTOR_TYPES.includes(typeFlag as VectorType))
      throw new UsageError(`--type must be one of ${VECTOR_TYPES.join(", ")}`);
    const metricFlag = flagString(args, "metric");
    if (metricFlag !== undefined && !METRICS.includes(metricFlag as Metric))
      throw new UsageError(`--metric must be one of ${METRICS.join(", ")}`);
    const { type, metric, sidecar } = indexDataKind(prefix, {
      type: typeFlag as VectorType | undefined,
      metric: metricFlag as Metric | undefined,
    });

    const diskFile = `${prefix}_disk.index`;
    const diskBytes = statSync(diskFile).size;
    const header = withFileRange(diskFile, (r) => r.read(0, Math.min(4096, diskBytes)));
    const meta: DiskIndexMeta = parseDiskIndexHeader(header, diskFile, diskBytes, type);

    const pivotsFile = `${prefix}_pq_pivots.bin`;
    const pivots = existsSync(pivotsFile) ? parsePqPivots(new Uint8Array(readFileSync(pivotsFile)), pivotsFile) : null;
    const codesFile = `${prefix}_pq_compressed.bin`;
    const codes = existsSync(codesFile)
      ? parsePqCompressed(new Uint8Array(readFileSync(codesFile)), codesFile, { npts: meta.npts, M: pivots?.M })
      : null;
    const memFile = `${prefix}_mem.index`;
    let entry: { npts: number; maxDegree: number; entryPoint: number; entryDiskId: number } | null = null;
    if (existsSync(memFile)) {
      const graph = parseMemIndexGraph(new Uint8Array(readFileSync(memFile)), memFile);
      const tags = parseMemIndexTags(new Uint8Array(readFileSync(`${memFile}.tags`)), `${memFile}.tags`, {
        npts: graph.npts,
        diskNpts: meta.npts,
      });
      entry = {
        npts: graph.npts,
        maxDegree: graph.maxDegree,
        entryPoint: graph.entryPoint,
        entryDiskId: tags[graph.entryPoint]!,
      };
    }

    const pageMeta = readPageMeta(prefix);
    const nodeTags = readNodeTags(prefix, meta.npts); // validated: a permutation of 0..npts-1
    const layout =
      pageMeta === null
        ? { kind: nodeTags ? "renumbered" : "id", node_tags: nodeTags !== null }
        : {
            kind: "page",
            node_tags: nodeTags !== null,
            nodes_per_sector: pageMeta.nodesPerSector,
            algorithm: pageMeta.algorithm,
            overlap: pageMeta.overlap,
            overlap_id_order: pageMeta.overlapBefore,
            seconds: pageMeta.seconds,
            peak_rss_mb: pageMeta.peakRssMb,
            source: pageMeta.source,
            created: pageMeta.createdAt,
          };
    const report = {
      prefix,
      type,
      metric,
      sidecar: sidecar !== null,
      disk: {
        file: diskFile,
        bytes: diskBytes,
        header_variant: meta.headerVariant,
        header_values: meta.headerValueCount,
        npts: meta.npts,
        dim: meta.dim,
        medoid: meta.medoid,
        max_node_len: meta.maxNodeBytes,
        nodes_per_sector: meta.nodesPerSector,
        sectors_per_node: meta.sectorsPerNode,
        R: meta.R,
        num_frozen: meta.numFrozen,
        frozen_loc: meta.frozenLoc,
        node_sectors: meta.nodeSectors,
      },
      pq:
        pivots === null
          ? null
          : {
              M: pivots.M,
              dim: pivots.dim,
              offsets: pivots.offsetCount,
              rearranged: pivots.perm !== null && pivots.perm.some((p, j) => p !== j),
              codes_bytes: codes ? codes.codes.length : null,
            },
      entry_graph: entry,
      layout,
      build:
        sidecar === null
          ? null
          : {
              L: sidecar.L,
              alpha: sidecar.alpha,
              seconds: sidecar.buildSeconds,
              peak_rss_mb: sidecar.peakRssMb,
              threads: sidecar.threads,
              seed: sidecar.seed,
              saturate: sidecar.saturate,
              kernel: sidecar.kernel,
              created: sidecar.createdAt,
            },
    };
    if (flagBool(args, "json")) {
      console.log(JSON.stringify(report));
      return EXIT_OK;
    }
    const lines = [
      `${prefix}`,
      `  data        ${meta.npts.toLocaleString("en-US")} x ${meta.dim} ${type}, metric ${metric}${sidecar ? "" : " (no _ringann.json: assumed, override with --type/--metric)"}`,
      `  disk index  ${mb(diskBytes)}, header ${meta.headerVariant} (nr=${meta.headerValueCount}), medoid ${meta.medoid}, frozen ${meta.numFrozen}`,
      `  nodes       ${meta.maxNodeBytes} B each (R ${meta.R}), ` +
        (meta.nodesPerSector > 0
          ? `${meta.nodesPerSector} per 4 KiB sector`
          : `${meta.sectorsPerNode} sectors per node`) +
        `, ${meta.nodeSectors.toLocaleString("en-US")} node sectors`,
      pivots
        ? `  PQ          ${pivots.M} bytes per vector (chunks of ${Math.floor(pivots.dim / pivots.M)}-${Math.ceil(pivots.dim / pivots.M)} dims), pivots nr=${pivots.offsetCount}, codes ${codes ? mb(codes.codes.length) : "missing"}`
        : `  PQ          missing (${pivotsFile})`,
      entry
        ? `  entry graph ${entry.npts} nodes, max degree ${entry.maxDegree}, entry ${entry.entryPoint} (disk id ${entry.entryDiskId})`
        : `  entry graph none`,
    ];
    if (pageMeta !== null) {
      const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
      lines.push(
        `  layout      page: neighbours share sectors (${pageMeta.algorithm}); ids renumbered, original ids in ${prefix}${NODE_TAGS_SUFFIX}`,
        `              overlap ${pct(pageMeta.overlap.outNeighbours)} of out-neighbours in the node's sector ` +
          `(id order ${pct(pageMeta.overlapBefore.outNeighbours)}), ${pct(pageMeta.overlap.sectorMates)} of sector mates are out-neighbours ` +
          `(id order ${pct(pageMeta.overlapBefore.sectorMates)}); relayout ${pageMeta.seconds.toFixed(1)} s, peak ${pageMeta.peakRssMb} MB`,
      );
    } else {
      lines.push(
        `  layout      ${nodeTags ? `renumbered (original ids in ${prefix}${NODE_TAGS_SUFFIX}), no _page.json` : "id order (DiskANN's)"}`,
      );
    }
    if (sidecar) {
      lines.push(
        `  built       R ${sidecar.R}, L ${sidecar.L}, alpha ${sidecar.alpha}, ${sidecar.threads} threads, ${sidecar.buildSeconds.toFixed(1)} s, peak ${sidecar.peakRssMb} MB, kernel ${sidecar.kernel}`,
      );
    }
    console.log(lines.join("\n"));
    return EXIT_OK;
  },
};
