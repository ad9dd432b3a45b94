// The main thread's side of the compute worker (worker.js). One client per panel, one worker per client:
//   const jobs = new WorkerClient();
//   const result = await jobs.run('probe', args, (progress) => draw(progress));
// A new run() cancels the one before it, whose promise then rejects with an AbortError (callers ignore those).
// When the worker dies (a Rust panic, an uncaught error) the run rejects with the message and the next run() starts
// a fresh worker, so one bad input never leaves the panel without a worker.

export class WorkerClient {
  constructor(url = new URL('./worker.js', import.meta.url)) {
    this.url = url;
    this.worker = null;
    this.nextId = 1;
    this.current = null; // { id, resolve, reject, onProgress }
  }

  static isAbort(e) {
    return e?.name === 'AbortError';
  }

  ensureWorker() {
    if (this.worker) return this.worker;
    const worker = new Worker(this.url, { type: 'module' });
    worker.onmessage = ({ data }) => this.receive(data);
    worker.onerror = (e) => {
      e.preventDefault();
      this.replaceWorker();
      this.fail(new Error(e.message || 'the worker stopped'));
    };
    return (this.worker = worker);
  }

  replaceWorker() {
    this.worker?.terminate();
    this.worker = null;
  }

  run(command, args = {}, onProgress = () => {}) {
    this.cancel();
    const id = this.nextId++;
    const worker = this.ensureWorker();
    return new Promise((resolve, reject) => {
      this.current = { id, resolve, reject, onProgress };
      worker.postMessage({ id, command, args });
    });
  }

  cancel() {
    const job = this.current;
    if (!job) return;
    this.current = null;
    this.worker?.postMessage({ cancel: job.id });
    job.reject(new DOMException('replaced by a newer request', 'AbortError'));
  }

  fail(error) {
    const job = this.current;
    this.current = null;
    job?.reject(error);
  }

  receive(data) {
    const job = this.current;
    if (!job || data.id !== job.id) return; // a cancelled job's late messages
    if ('progress' in data) {
      job.onProgress(data.progress);
    } else if ('result' in data) {
      this.current = null;
      job.resolve(data.result);
    } else if ('error' in data) {
      if (data.error.fatal) this.replaceWorker();
      this.fail(Object.assign(new Error(data.error.message), { param: data.error.param }));
    }
  }

  dispose() {
    this.cancel();
    this.replaceWorker();
  }
}
