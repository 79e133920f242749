// What a search needs to know about an index's page layout (format/page-layout.ts), decided once
// at open: the original id of every node (results are reported in original ids) and whether the
// page machines run. Page search needs ≥ 2 nodes per sector; asking for it on an index whose nodes
// fill or span whole sectors is a configuration error, not a silent fallback.
import { ConfigError } from "../errors.ts";
import type { DiskIndexMeta } from "../format/disk-index.ts";
import { type PageMeta, readNodeTags, readPageMeta } from "../format/page-layout.ts";
import { BeamSearch } from "./beam.ts";
import type { QueryMachine, SearchContext } from "./machine.ts";
import { PageBeamSearch } from "./page-beam.ts";
import { PagePipeSearch } from "./page-pipe.ts";
import { PipeSearch } from "./pipe.ts";

export interface PageLayoutInfo {
  /** `<prefix>_page.json`, or null for an id-order index. */
  readonly meta: PageMeta | null;
  /** Original id of each node (`<prefix>_disk.index.tags`), or null when ids are original. */
  readonly nodeTags: Uint32Array | null;
  /** The page machines run (page-beam.ts, page-pipe.ts). */
  readonly search: boolean;
}

export function pageLayoutOf(prefix: string, meta: DiskIndexMeta, pageSearch: boolean | undefined): PageLayoutInfo {
  const pageMeta = readPageMeta(prefix);
  if (pageMeta !== null && (pageMeta.npts !== meta.npts || pageMeta.nodesPerSector !== meta.nodesPerSector)) {
    throw new ConfigError("index", [
      `${prefix}_page.json describes ${pageMeta.npts} nodes, ${pageMeta.nodesPerSector} per sector; ` +
        `the disk index holds ${meta.npts}, ${meta.nodesPerSector} per sector (files from different indexes?)`,
    ]);
  }
  const nodeTags = readNodeTags(prefix, meta.npts);
  const search = pageSearch ?? pageMeta !== null;
  if (search && meta.nodesPerSector < 2) {
    throw new ConfigError("pageSearch", [
      `page search needs ≥ 2 nodes per sector; ${prefix}_disk.index holds ${meta.nodesPerSector === 0 ? "nodes spanning several sectors" : "1 node per sector"}`,
    ]);
  }
  return { meta: pageMeta, nodeTags, search };
}

/** The machine for `mode`: the page variant when the index is searched by page (chosen once, at open). */
export function createQueryMachine(
  mode: "beam" | "pipe",
  ctx: SearchContext,
  owner: number,
  pageSearch: boolean,
): QueryMachine {
  if (mode === "beam") return pageSearch ? new PageBeamSearch(ctx, owner) : new BeamSearch(ctx, owner);
  return pageSearch ? new PagePipeSearch(ctx, owner) : new PipeSearch(ctx, owner);
}
