// The public search API:
//   const index = await DiskIndex.open("idx/fmnist", { cacheNodes: 1000 });
//   const { ids, distances, stats } = index.search(query, { k: 10, L: 50, mode: "pipe", width: 4 });
//   index.close();
// open() validates every file (header vs file size, PQ pivots vs codes vs dims, entry graph) and
// loads the PQ data, the optional node cache and entry graph; nodes are read on demand through a
// SectorReader (io_uring + O_DIRECT by default). A search runs one query at a time on this
// index's ring; concurrent queries on one ring: see SearchDriver.runInterleaved / newMachines().
import { ConfigError } from "../errors.ts";
import type { DiskIndexMeta } from "../format/disk-index.ts";
import { nodeReadBytes } from "../format/disk-index.ts";
import type { Metric, VectorType, Vectors } from "../format/vector-type.ts";
import { type DistanceFn, distanceFor } from "../math/distance.ts";
import { loadNativeKernelsSync } from "../math/native-kernels.ts";
import { PqTable } from "../math/pq-table.ts";
import { nativeQueryDistance, nativeQueryRows, nativeStridedRows } from "../math/query-distance.ts";
import { nativeLibraryPath } from "../io/native.ts";
import { type BackendChoice, openSectorReader } from "../io/open-reader.ts";
import type { SectorReader } from "../io/reader.ts";
import { type AsyncQueryOptions, type AsyncSearchResult, QueryScheduler } from "./async-index.ts";
import { type NodeCache, cacheNodeCount, loadNodeCache } from "./cache.ts";
import { SearchDriver, type SubmitPolicy } from "./driver.ts";
import { type SubmitCost, chooseSubmitPolicy, measureSubmitCost } from "../io/submit-cost.ts";
import { EntryGraph } from "./entry-graph.ts";
import { type IndexFiles, loadIndexFiles } from "./index-files.ts";
import type { QueryMachine, SearchContext, SearchParams } from "./machine.ts";
import { NodeSource } from "./node-source.ts";
import { createQueryMachine, pageLayoutOf, type PageLayoutInfo } from "./page-layout.ts";
import { PAGE_EXPAND_POLICIES, type PageExpand } from "./page-machine.ts";
import type { QueryStats } from "./stats.ts";
import { VISITED_ARRAY_MAX_NPTS } from "./visited.ts";

export type SearchMode = "beam" | "pipe";

export interface DiskIndexOptions {
  /** Override the sidecar / defaults (l2, float32) — needed for DiskANN/PipeANN-written indexes. */
  metric?: Metric;
  type?: VectorType;
  /**
   * The in-memory parts already loaded and checked (loadIndexFiles), e.g. with the PQ codes in shared
   * memory so several threads' indexes hold one copy (shareIndexFiles). metric/type are then theirs.
   */
  files?: IndexFiles;
  backend?: BackendChoice;
  /** O_DIRECT (default true). */
  direct?: boolean;
  /** Supply the reader yourself (tests: SimReader). Receives the slot geometry to use. */
  openReader?: (file: string, geometry: { slotBytes: number; slotCount: number }) => SectorReader;
  /** Largest L / width / memL any search will ask for (scratch is sized once). Defaults 512/32/64. */
  maxL?: number;
  maxWidth?: number;
  maxMemL?: number;
  /** Visited sets: npts stamp arrays up to this many points, query-sized hash sets above (0: always hashed). */
  visitedArrayMaxNpts?: number;
  /** Machines per mode for interleaved queries on one ring (default 1). */
  concurrency?: number;
  /** Node cache, BFS from the medoid: a node count and/or a byte budget. */
  cacheNodes?: number;
  cacheBytes?: number;
  /** Load `<prefix>_mem.index` when present (default true). */
  entryGraph?: boolean;
  /**
   * PQ query tables: "native" builds them with c/kernels.c when the library has the kernel (the
   * default; RINGANN_KERNELS=ts also forces TypeScript), "ts" always in TypeScript. Chosen at open.
   */
  pqKernel?: "native" | "ts";
  /**
   * Exact query distances (entry-graph search, expanded nodes): "native" (the default) uses
   * c/kernels.c rk_*_query / rk_*_query1 when the library has them (the entry graph: one call per
   * expanded node for all its neighbours); "ts" the TypeScript loops. Chosen at open.
   */
  exactKernel?: "native" | "ts";
  /** Spin on the completion queue instead of blocking while a query waits (default false). */
  spin?: boolean;
  /** Kernel-side submission polling (a kernel thread submits reads; costs a core). Default false. */
  sqpoll?: boolean;
  /**
   * Page search (search/page-machine.ts): use every node of each fetched sector. Default: on when
   * the index has a page layout (`<prefix>_page.json`, written by `ringann relayout`), off otherwise.
   * Chosen once here: an index searched without it runs the plain beam/pipe machines.
   */
  pageSearch?: boolean;
  /**
   * When chosen reads go to the kernel (search/driver.ts): "auto" (default) measures at open what
   * one submission costs against a read's device time (io/submit-cost.ts) and batches where
   * submitting is dear (virtio: a VM exit per call), else "eager"; or force "eager" / "batch".
   */
  submit?: SubmitPolicy | "auto";
}

export interface SearchOptions {
  k?: number;
  L?: number;
  mode?: SearchMode;
  /** Beam: reads per round; pipe: most reads in flight (default 4). */
  width?: number;
  readLimit?: number;
  /**
   * Default: the entry graph when the index has one, for both modes (PipeANN seeds its beam search from
   * it too; on the 1M set it saves beam 13–39% of its reads), else the medoid (DiskANN).
   */
  entry?: "medoid" | "graph";
  /** Entry-graph list size (default 10, PipeANN's mem_L). */
  memL?: number;
  /** Pipe: adaptive width (default true). */
  adaptiveWidth?: boolean;
  /** Pipe: build the PQ table while the first reads fly (default true). */
  pqWhileReading?: boolean;
  /** Pipe: rank wasted reads by exact distance (default true; false = PipeANN exactly). */
  rankWasted?: boolean;
  /** Page search: which co-located nodes of a fetched sector are expanded (default "queued"). */
  pageExpand?: PageExpand;
}

export interface SearchResult {
  ids: Uint32Array;
  distances: Float32Array;
  stats: QueryStats;
}

export class DiskIndex {
  readonly prefix: string;
  readonly meta: DiskIndexMeta;
  readonly metric: Metric;
  readonly files: IndexFiles;
  readonly reader: SectorReader;
  readonly source: NodeSource;
  readonly cache: NodeCache | null;
  readonly entryGraph: EntryGraph | null;
  readonly context: SearchContext;
  readonly driver: SearchDriver;
  /** machines[owner]: beam machines 0..C-1, then pipe machines C..2C-1. */
  readonly machines: readonly QueryMachine[];
  readonly concurrency: number;
  /** The page layout's files and whether page search runs (docs/page-layout.md). */
  readonly page: PageLayoutInfo;
  /** The submission policy in force, and the measurement that chose it (null when not measured). */
  readonly submitPolicy: SubmitPolicy;
  readonly submitCost: SubmitCost | null;
  private closed = false;
  private asyncQueries: QueryScheduler | null = null;

  private constructor(
    files: IndexFiles,
    reader: SectorReader,
    cache: NodeCache | null,
    entryGraph: EntryGraph | null,
    distance: DistanceFn,
    page: PageLayoutInfo,
    opts: DiskIndexOptions,
    submitCost: SubmitCost | null,
  ) {
    this.page = page;
    this.prefix = files.prefix;
    this.files = files;
    this.meta = files.meta;
    this.metric = files.metric;
    this.reader = reader;
    this.cache = cache;
    this.entryGraph = entryGraph;
    this.source = new NodeSource(reader, files.meta, cache);
    this.concurrency = opts.concurrency ?? 1;
    this.context = {
      meta: files.meta,
      metric: files.metric,
      codes: files.codes,
      pq: new PqTable(
        files.pivots,
        files.metric,
        opts.pqKernel === "ts" ? null : loadNativeKernelsSync(nativeLibraryPath),
      ),
      distance,
      sectorRows: page.search
        ? nativeStridedRows(
            opts.exactKernel === "ts" ? null : loadNativeKernelsSync(nativeLibraryPath),
            files.metric,
            files.meta.type,
          )
        : null,
      source: this.source,
      entryGraph,
      maxL: opts.maxL ?? 512,
      maxWidth: opts.maxWidth ?? 32,
      maxMemL: opts.maxMemL ?? 64,
      visitedArrayMaxNpts: opts.visitedArrayMaxNpts ?? VISITED_ARRAY_MAX_NPTS,
      nodeTags: page.nodeTags,
      labelEdges: files.labelEdges,
    };
    const machines: QueryMachine[] = [];
    const C = this.concurrency;
    for (let i = 0; i < C; i++) machines.push(createQueryMachine("beam", this.context, i, page.search));
    for (let i = 0; i < C; i++) machines.push(createQueryMachine("pipe", this.context, C + i, page.search));
    this.machines = machines;
    this.submitCost = submitCost;
    const submit = opts.submit ?? "auto";
    this.submitPolicy = submit === "auto" ? chooseSubmitPolicy(submitCost) : submit;
    this.driver = new SearchDriver(this.source, machines, { spin: opts.spin ?? false, submit: this.submitPolicy });
  }

  static async open(prefix: string, opts: DiskIndexOptions = {}): Promise<DiskIndex> {
    const files = opts.files ?? loadIndexFiles(prefix, { metric: opts.metric, type: opts.type });
    const meta = files.meta;
    const page = pageLayoutOf(prefix, meta, opts.pageSearch);
    const concurrency = opts.concurrency ?? 1;
    const maxWidth = opts.maxWidth ?? 32;
    if (!(Number.isInteger(concurrency) && concurrency >= 1))
      throw new ConfigError("concurrency", [`expected an integer ≥ 1, got ${concurrency}`]);
    if (!(Number.isInteger(maxWidth) && maxWidth >= 1))
      throw new ConfigError("maxWidth", [`expected an integer ≥ 1, got ${maxWidth}`]);
    // Per machine: `width` reads in flight plus as many completed-but-unexpanded or abandoned ones.
    const geometry = { slotBytes: nodeReadBytes(meta), slotCount: concurrency * 2 * maxWidth };
    const reader = opts.openReader
      ? opts.openReader(files.diskFile, geometry)
      : openSectorReader(files.diskFile, {
          ...geometry,
          backend: opts.backend ?? "auto",
          direct: opts.direct ?? true,
          sqpoll: opts.sqpoll ?? false,
        });
    try {
      const kernels = opts.exactKernel === "ts" ? null : loadNativeKernelsSync(nativeLibraryPath);
      const distance = nativeQueryDistance(kernels, files.metric, meta.type) ?? distanceFor(files.metric);
      const queryRows = nativeQueryRows(kernels, files.metric, meta.type);
      const entryGraph =
        opts.entryGraph === false
          ? null
          : EntryGraph.load(prefix, { type: meta.type, dim: meta.dim, diskNpts: meta.npts, distance, queryRows });
      const count = cacheNodeCount(meta, { nodes: opts.cacheNodes, bytes: opts.cacheBytes });
      const cache = loadNodeCache(reader, meta, count);
      const submit = opts.submit ?? "auto";
      if (submit !== "auto" && submit !== "eager" && submit !== "batch") {
        throw new ConfigError("submit", [`expected "auto", "eager" or "batch", got ${JSON.stringify(submit)}`]);
      }
      const cost = submit === "auto" && !(opts.sqpoll ?? false) ? measureSubmitCost(reader, nodeReadBytes(meta)) : null;
      return new DiskIndex(files, reader, cache, entryGraph, distance, page, opts, cost);
    } catch (err) {
      reader.close();
      throw err;
    }
  }

  get dim(): number {
    return this.meta.dim;
  }

  /** Checks options against the index's limits and fills in the defaults (once per run). */
  resolve(opts: SearchOptions = {}): SearchParams & { mode: SearchMode } {
    const ctx = this.context;
    const mode = opts.mode ?? "pipe";
    const k = opts.k ?? 10;
    const L = opts.L ?? Math.max(k, 10);
    const width = opts.width ?? 4;
    const memL = opts.memL ?? 10;
    const problems: string[] = [];
    if (mode !== "beam" && mode !== "pipe") problems.push(`mode must be "beam" or "pipe", got ${JSON.stringify(mode)}`);
    if (!(Number.isInteger(k) && k >= 1)) problems.push(`k must be an integer ≥ 1, got ${k}`);
    if (!(Number.isInteger(L) && L >= k && L <= ctx.maxL))
      problems.push(`L must be an integer in k..maxL (${k}..${ctx.maxL}), got ${L}`);
    if (!(Number.isInteger(width) && width >= 1 && width <= ctx.maxWidth))
      problems.push(`width must be an integer in 1..maxWidth (${ctx.maxWidth}), got ${width}`);
    if (!(Number.isInteger(memL) && memL >= 0 && memL <= ctx.maxMemL))
      problems.push(`memL must be an integer in 0..maxMemL (${ctx.maxMemL}), got ${memL}`);
    const readLimit = opts.readLimit ?? Infinity;
    if (!(readLimit >= 1)) problems.push(`readLimit must be ≥ 1, got ${readLimit}`);
    if (opts.pageExpand !== undefined && !PAGE_EXPAND_POLICIES.includes(opts.pageExpand)) {
      problems.push(
        `pageExpand must be one of ${PAGE_EXPAND_POLICIES.join(", ")}, got ${JSON.stringify(opts.pageExpand)}`,
      );
    }
    if (opts.entry === "graph" && this.entryGraph === null)
      problems.push(`entry "graph" needs ${this.prefix}_mem.index, which is absent`);
    if (problems.length > 0) throw new ConfigError("search options", problems);
    const entry = opts.entry ?? (this.entryGraph !== null ? "graph" : "medoid");
    return {
      mode,
      k,
      L,
      width,
      readLimit,
      entry,
      memL,
      adaptiveWidth: opts.adaptiveWidth ?? true,
      pqWhileReading: opts.pqWhileReading ?? true,
      rankWasted: opts.rankWasted ?? true,
      pageExpand: opts.pageExpand ?? "queued",
    };
  }

  /** The `concurrency` machines of `mode` (for SearchDriver.runInterleaved). */
  machinesFor(mode: SearchMode): readonly QueryMachine[] {
    const C = this.concurrency;
    return mode === "beam" ? this.machines.slice(0, C) : this.machines.slice(C, 2 * C);
  }

  /** The machine that runs one-at-a-time searches of `mode`. */
  machineFor(mode: SearchMode): QueryMachine {
    return this.machines[mode === "beam" ? 0 : this.concurrency]!;
  }

  /** Searches one query (dim values of `query` from `offset`). Allocates only the returned arrays. */
  search(query: Vectors, opts: SearchOptions = {}, offset = 0): SearchResult {
    const params = this.resolve(opts);
    const ids = new Uint32Array(params.k);
    const distances = new Float32Array(params.k);
    const n = this.searchInto(query, offset, params, ids, distances, 0);
    const m = this.machineFor(params.mode);
    return { ids: ids.subarray(0, n), distances: distances.subarray(0, n), stats: m.stats.clone() };
  }

  /**
   * The allocation-free form for loops: params from resolve(), the answer written at outOffset.
   * Returns how many results (k unless fewer nodes were reached); the machine's stats stay valid
   * until its next search (machineFor(mode).stats).
   */
  searchInto(
    query: Vectors,
    offset: number,
    params: SearchParams & { mode: SearchMode },
    outIds: Uint32Array,
    outDists: Float32Array,
    outOffset: number,
  ): number {
    if (this.closed) throw new ConfigError("index", [`Cannot search ${this.prefix}: the index is closed`]);
    if (query.length - offset < this.meta.dim) {
      throw new ConfigError("query", [
        `expected ${this.meta.dim} values from offset ${offset}, got ${query.length - offset}`,
      ]);
    }
    const m = this.machineFor(params.mode);
    this.driver.run(m, query, offset, params);
    return m.topK(params.k, outIds, outDists, outOffset);
  }

  /** The engine behind query(): concurrency, queue limit, slice (see async-index.ts). Created on first use. */
  get scheduler(): QueryScheduler {
    this.asyncQueries ??= new QueryScheduler(this);
    return this.asyncQueries;
  }

  /** Searches one query without blocking the event loop; up to `concurrency` run interleaved, more queue. */
  query(vector: Vectors, opts: AsyncQueryOptions = {}, offset = 0): Promise<AsyncSearchResult> {
    if (this.closed)
      return Promise.reject(new ConfigError("index", [`Cannot query ${this.prefix}: the index is closed`]));
    return this.scheduler.query(vector, opts, offset);
  }

  /** Drains abandoned reads and closes the reader (asynchronous queries still running reject). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.asyncQueries?.abortAll();
    try {
      this.driver.drain();
    } finally {
      this.reader.close();
    }
  }
}
