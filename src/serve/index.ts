// The serve room: `ringann serve` — HTTP/JSON search on Bun.serve over the async query API
// (src/search/async-index.ts), request checks and limits, bearer auth, Prometheus metrics, the
// search page, T threads each with its own ring.
//   const h = await startServe(loadServeConfig("serve.json"));  …  await h.stop();
export { startServe, type ServeHandle, type ServeOptions } from "./serve.ts";
export {
  loadServeConfig,
  serveConfigFromJson,
  indexConfig,
  type ServeConfig,
  type IndexServeConfig,
  DEFAULT_DEFAULTS,
  DEFAULT_LIMITS,
} from "./serve-config.ts";
export { ServeMetrics } from "./metrics.ts";
export { HttpError } from "./http-error.ts";
export { parseJsonSearch, parseBinarySearch, type SearchRequest } from "./search-request.ts";
export { DatasetView } from "./dataset-view.ts";
