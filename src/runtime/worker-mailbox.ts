// A Worker's control messages, taken one at a time: next() resolves with the next message whether it
// arrived before or after the call (none is lost between two awaits). A failure of the thread itself
// (its error event) arrives as asError(message). `observe` sees every message as it arrives.
export class WorkerMailbox<M> {
  private readonly inbox: M[] = [];
  private waiting: ((m: M) => void) | null = null;

  constructor(worker: Worker, asError: (message: string) => M, observe?: (m: M) => void) {
    const deliver = (m: M): void => {
      observe?.(m);
      const w = this.waiting;
      if (w === null) {
        this.inbox.push(m);
        return;
      }
      this.waiting = null;
      w(m);
    };
    worker.onmessage = (e: MessageEvent<M>) => deliver(e.data);
    worker.onerror = (e) => deliver(asError(e.message));
  }

  next(): Promise<M> {
    if (this.inbox.length > 0) return Promise.resolve(this.inbox.shift()!);
    return new Promise((resolve) => (this.waiting = resolve));
  }
}
