// The built-in demo that `ringann run` (no argument) executes: a small synthetic dataset with
// structure (Gaussian clusters in a 16-d subspace of 96 dims), its index, and beam vs pipe at a
// few L. Sized to finish in well under a minute on two cores; reruns reuse the data and the index.
// configs/demo.json is the same config with its files under the repository's .data/ folder.

export const DEMO_DIR_DEFAULT = "ringann-demo";

/** The demo config with every path under `root` ("" = the demo folder itself). */
export function demoConfig(root = "", output = "results") {
  return {
    name: "demo",
    description:
      "ringann's built-in demo: synthetic 30,000 x 96 float32 (clusters in a 16-d subspace), R=32, beam vs pipe",
    output,
    jobs: [
      {
        type: "dataset",
        name: "synthetic 30K x 96",
        source: "synthetic",
        dir: `${root}data`,
        n: 30_000,
        queries: 500,
        dim: 96,
        clusters: 24,
        intrinsic_dim: 16,
        seed: 7,
        k: 100,
      },
      {
        type: "build",
        name: "build R=32 L=64",
        dataset: `${root}data`,
        out: `${root}index/demo`,
        R: 32,
        L: 64,
        pq_bytes: 24,
      },
      {
        type: "search",
        name: "demo",
        index: `${root}index/demo`,
        dataset: `${root}data`,
        k: 10,
        L: [10, 20, 40, 80],
        mode: ["beam", "pipe"],
        width: 4,
        warmup_queries: 50,
      },
    ],
  };
}

export const DEMO_CONFIG = demoConfig();

/** configs/demo.json: the demo with its files in the repository's .data/ and results/ folders. */
export const DEMO_REPO_CONFIG = demoConfig("../.data/demo/", "../results/demo");
