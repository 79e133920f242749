// The data room: datasets, exact ground truth and recall.
export * from "./datasets.ts";
export * from "./manifest.ts";
export * from "./synthetic.ts";
export * from "./ground-truth.ts";
export * from "./gt-run.ts";
export * from "./recall.ts";
export * from "./packages.ts";
export { loadFashionMnist, FASHION_MNIST_DIR } from "./fashion-mnist.ts";
export { loadGlove, resolveGloveFile, GLOVE_PACKAGE } from "./glove.ts";
export { computeFilteredTruth, radiusForMeanCount, rangeFromTopK, rangeRecall, NO_TRUTH_ID } from "./filtered-truth.ts";
export { FASHION_CLASSES, ZIPF_TARGET_RANKS, fashionMnistLabels, zipfLabels, zipfQueryFilters } from "./labels-data.ts";
