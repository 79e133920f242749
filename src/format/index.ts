// The format room: pure functions of bytes (DiskANN .bin vectors and truth files, texmex, MNIST idx)
// plus the atomic writer every file writer goes through.
export * from "./atomic-file.ts";
export * from "./file-range.ts";
export * from "./bin.ts";
export * from "./truth.ts";
export * from "./texmex.ts";
export * from "./idx.ts";
export * from "./vector-file.ts";
export * from "./convert.ts";
export {
  NODE_TAGS_SUFFIX,
  PAGE_META_SUFFIX,
  encodeNodeTags,
  encodePageMeta,
  parseNodeTags,
  parsePageMeta,
  readNodeTags,
  readPageMeta,
  removePageLayoutFiles,
  type OverlapRatios,
  type PageMeta,
} from "./page-layout.ts";
export * from "./label-files.ts";
export * from "./attribute-file.ts";
export * from "./range-truth.ts";
