// A build Worker: attaches to the shared vectors and graph once, then runs Vamana passes on request
// (see vamana-pass.ts for how work is split). Messages: init → ready; pass → done | error.
import { invariant } from "../errors.ts";
import { viewVectors } from "../format/vector-type.ts";
import { kernelName, loadNativeKernels } from "../math/native-kernels.ts";
import { SharedGraph } from "./shared-graph.ts";
import { VamanaInserter } from "./vamana.ts";
import { runPass } from "./vamana-pass.ts";
import type { WorkerInit, WorkerReply, WorkerRequest } from "./worker-protocol.ts";

declare const self: Worker;

let inserter: VamanaInserter | null = null;
let init: WorkerInit | null = null;

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const msg = event.data;
  try {
    if (msg.kind === "init") {
      init = msg;
      const kernels = msg.useNative ? await loadNativeKernels() : null;
      const vectors = viewVectors(msg.type, msg.vectors, msg.vectorsByteOffset, msg.npts * msg.dim);
      inserter = new VamanaInserter(
        new SharedGraph(msg.graph),
        vectors,
        msg.dim,
        msg.type,
        msg.metric,
        msg.params,
        kernels,
      );
      reply({ kind: "ready", kernel: kernels ? kernelName() : "ts" });
      return;
    }
    invariant(inserter !== null && init !== null, "build worker used before init");
    const before = inserter.comparisons;
    runPass(inserter, msg.pass, new Uint32Array(init.order), new Int32Array(init.counters), init.medoid, msg.alpha);
    reply({ kind: "done", comparisons: inserter.comparisons - before });
  } catch (err) {
    reply({ kind: "error", message: err instanceof Error ? `${err.message}\n${err.stack ?? ""}` : String(err) });
  }
};

function reply(r: WorkerReply): void {
  self.postMessage(r);
}
