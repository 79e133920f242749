// A label proposal Worker (label-proposal-jobs.ts): attaches to the shared vectors, graph and jobs,
// runs labels from the shared cursor until none is left, replies done | error.
import { viewVectors } from "../format/vector-type.ts";
import { loadNativeKernels } from "../math/native-kernels.ts";
import { type ProposalWorkerInit, type ProposalWorkerReply, runProposalJobs } from "./label-proposal-jobs.ts";
import { LabelProposer } from "./label-proposals.ts";
import { SharedGraph } from "./shared-graph.ts";

declare const self: Worker;

self.onmessage = async (event: MessageEvent<ProposalWorkerInit>) => {
  const msg = event.data;
  try {
    const kernels = msg.useNative ? await loadNativeKernels() : null;
    const vectors = viewVectors(msg.type, msg.vectors, msg.vectorsByteOffset, msg.npts * msg.dim);
    const proposer = new LabelProposer(new SharedGraph(msg.graph), {
      vectors,
      dim: msg.dim,
      type: msg.type,
      metric: msg.metric,
      kernels,
      ...msg.settings,
    });
    const jobs = {
      members: new Uint32Array(msg.members),
      jobs: new Uint32Array(msg.jobs),
      out: new Uint32Array(msg.out),
    };
    runProposalJobs(proposer, jobs, new Int32Array(msg.cursor));
    reply({ kind: "done" });
  } catch (err) {
    reply({ kind: "error", message: err instanceof Error ? `${err.message}\n${err.stack ?? ""}` : String(err) });
  }
};

function reply(r: ProposalWorkerReply): void {
  self.postMessage(r);
}
