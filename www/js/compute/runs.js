// Runs: long computations (a probe, an augmentation grid, later a training run) as sessions in workers, owned by the
// page rather than by the panel that started them. A panel that is re-rendered (a language switch) or left (a panel
// switch) only stops listening; the run goes on, and the panel finds it again with runs.current(owner).
//
//   const run = runs.show('signal', 'probe', key, config);   // the owner's run for these settings (key): the one it
//                                                            // has, or a new one replacing it (see show)
//   const run = runs.open('probe', config, { owner, key, paused, settings }); // a run of its own (starts stepping
//                                                            // unless paused; settings: the URL values behind it)
//   const stop = run.subscribe((run, event) => …);  // event.type: 'progress' (event.items), 'state', 'done', 'error'
//   run.items, run.result, run.error, run.state, run.work ({ done, total, rate, eta } or null), run.steps
//   run.pause(); run.resume(); run.step(n); await run.snapshot(); await run.load(bytes); run.close();
//   await run.finished;                              // the result; rejects with run.error or an AbortError on close
//
// A run is stopped only when the person stops it, a setting that defines it changes, or the page closes; a stateful
// run (a training run) whose settings change is paused and stays listed until the person resumes or discards it.
// States: 'running' | 'paused' | 'done' | 'error' | 'closed'.
//
// The workers form a small pool (at most POOL_MAX, never more than the machine's cores): a new run goes to an idle
// worker, else to a new worker while the pool may grow, else to the least busy one (its sessions then take turns).
// A worker whose wasm memory grew past RETIRE_BYTES is replaced once it has held no live run for RETIRE_IDLE_MS (wasm
// memory cannot shrink; a fresh instance gives it back; a run that follows at once reuses the memory instead); a
// paused run is live, so a worker holding one is never replaced. A worker that panicked is replaced at once, and the
// runs it held end with an error in the person's terms (errorText). A replacement starts right away and warms its
// code up with a small probe (a fresh instance runs its first large layer several times slower until the engine has
// optimised the kernels), so the next run waits for neither.

import { KINDS } from './jobs.js';
import { compiledModule, workerUrl } from './wasm.js';
import { t } from '../i18n/index.js';
import { coreMessage } from '../ui/dom.js';

export const POOL_MAX = Math.max(1, Math.min(4, navigator.hardwareConcurrency || 2));
export const RETIRE_BYTES = 256 * 2 ** 20;
export const RETIRE_IDLE_MS = 1000;
const WARM_UP = 0; // the run id of a replacement's warm-up session, which no Run answers to
const WORKER_URL = new URL('./worker.js', import.meta.url);

class PoolWorker {
  constructor(pool, index, { warm = false } = {}) {
    this.pool = pool;
    this.index = index; // for tests and diagnostics: a new worker gets a new index
    this.runs = new Set(); // live runs (not done, errored or closed)
    this.closing = new Set(); // ids of runs closed while live: the worker may still be inside one of their steps
    this.memory = 0; // wasm memory in bytes, as last reported
    this.worker = new Worker(workerUrl(WORKER_URL), { type: 'module' }); // with the page's wasm build
    // The page's compiled module, so no worker downloads the wasm again (the worker waits for this message).
    const compiled = compiledModule();
    if (compiled) compiled.then((module) => this.post({ op: 'wasm', module }), () => this.post({ op: 'wasm', module: null }));
    else this.post({ op: 'wasm', module: null });
    this.worker.onmessage = ({ data }) => {
      if (typeof data?.memory === 'number') this.memory = data.memory;
      if (data?.state === 'closed') this.closing.delete(data.run);
      this.pool.registry.receive(this, data);
    };
    this.worker.onerror = (e) => {
      e.preventDefault();
      this.pool.lose(this, { message: e.message || 'the worker stopped', code: 'worker_lost', fatal: true });
    };
    this.retireTimer = null;
    if (warm) this.post({ op: 'open', run: WARM_UP, kind: 'warm_up', config: {} });
  }

  post(message) {
    this.worker.postMessage(message);
  }
}

class Pool {
  constructor(registry) {
    this.registry = registry;
    this.workers = [];
    this.created = 0;
  }

  assign(run) {
    // Idle means no live run and no step of a closed run still under way.
    let w = this.workers.find((x) => !x.runs.size && !x.closing.size) ?? this.workers.find((x) => !x.runs.size);
    if ((!w || w.closing.size) && this.workers.length < POOL_MAX) {
      w = new PoolWorker(this, this.created++);
      this.workers.push(w);
    }
    w ??= this.workers.reduce((a, b) => (b.runs.size < a.runs.size ? b : a));
    w.runs.add(run);
    return w;
  }

  tooBig(w) {
    return w.memory > RETIRE_BYTES;
  }

  // A run ended or was closed: its worker, if it holds no other live run for a while, gives its memory back.
  release(w, run) {
    w.runs.delete(run);
    clearTimeout(w.retireTimer);
    if (w.runs.size || !this.tooBig(w)) return;
    w.retireTimer = setTimeout(() => {
      if (!w.runs.size && this.tooBig(w) && this.workers.includes(w)) this.retire(w);
    }, RETIRE_IDLE_MS);
  }

  // Terminates a worker and starts its replacement at once, so the next run does not wait for a wasm instance.
  retire(w) {
    clearTimeout(w.retireTimer);
    w.worker.terminate();
    this.workers = this.workers.map((x) => (x === w ? new PoolWorker(this, this.created++, { warm: true }) : x));
  }

  // The worker's wasm instance is gone (a panic, a worker that failed to start): the run whose step panicked gets the
  // panic, the others it held end as lost.
  lose(w, error, culprit = null) {
    if (!this.workers.includes(w)) return;
    this.retire(w);
    for (const run of [...w.runs]) run.fail(run === culprit ? error : { ...error, code: 'worker_lost' });
    w.runs.clear();
  }
}

class Run {
  // settings: what the person set for this run (a panel's URL values), so that a list of paused runs can show them
  // and go back to them.
  constructor(registry, id, kind, config, { owner = null, key = null, label = null, settings = null } = {}) {
    Object.assign(this, { registry, id, kind, config, owner, key, label, settings });
    this.state = 'running';
    this.items = [];
    this.result = undefined;
    this.error = null;
    this.work = null;
    this.steps = 0;
    this.listeners = new Set();
    this.requests = new Map(); // req → { resolve, reject }: snapshot and load answers
    this.finished = new Promise((resolve, reject) => { this.settle = { resolve, reject }; });
    this.finished.catch(() => {}); // a run nobody awaits must not report an unhandled rejection
    this.worker = null;
  }

  get live() {
    return this.state === 'running' || this.state === 'paused';
  }

  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  emit(event) {
    for (const fn of [...this.listeners]) fn(this, event);
    this.registry.changed(this, event);
  }

  send(op, extra = {}) {
    if (this.live) this.worker.post({ op, run: this.id, ...extra });
  }

  // pause() takes effect after the step in progress: the state turns 'paused' when the worker says so, with every
  // step's progress delivered. resume() and step() count as running at once.
  pause() {
    this.send('pause');
  }

  resume() {
    this.send('resume');
    this.markRunning();
  }

  step(n = 1) {
    this.send('step', { n });
    this.markRunning();
  }

  markRunning() {
    if (this.state !== 'paused') return;
    this.state = 'running';
    this.emit({ type: 'state' });
  }

  // The session's state between two steps (a training run: { steps, weights } with the weights as safetensors).
  snapshot() {
    return this.request('snapshot');
  }

  // Hands bytes to the session's load() between two steps (a training run: weights from a safetensors file of its
  // spec, all or nothing); resolves with what it answers, rejects with the core's error (the session unchanged).
  load(bytes) {
    return this.request('load', { bytes });
  }

  request(op, extra = {}) {
    if (!this.live) return Promise.reject(new Error(`the run is ${this.state}`));
    const req = this.registry.nextReq++;
    return new Promise((resolve, reject) => {
      this.requests.set(req, { resolve, reject });
      this.send(op, { req, ...extra });
    });
  }

  close() {
    if (this.state === 'closed') return;
    const wasLive = this.live;
    this.send('close');
    this.state = 'closed';
    this.listeners.clear();
    for (const { reject } of this.requests.values()) reject(new DOMException('the run was closed', 'AbortError'));
    this.requests.clear();
    this.registry.forget(this);
    if (wasLive) {
      this.worker.closing.add(this.id);
      this.settle.reject(new DOMException('the run was closed', 'AbortError'));
      this.registry.pool.release(this.worker, this);
    }
  }

  receive(data) {
    if (data.progress) {
      this.items.push(...data.progress);
      this.work = data.work ?? this.work;
      this.emit({ type: 'progress', items: data.progress });
    }
    if ('req' in data) {
      const pending = this.requests.get(data.req);
      this.requests.delete(data.req);
      if (data.error) pending?.reject(runError(data.error));
      else pending?.resolve('snapshot' in data ? data.snapshot : data.loaded);
      if (data.error?.fatal) this.registry.pool.lose(this.worker, data.error, this);
      return;
    }
    if (data.state === 'running' || data.state === 'paused') {
      this.state = data.state;
      this.steps = data.steps;
      this.emit({ type: 'state' });
    }
    if ('result' in data) {
      this.state = 'done';
      this.steps = data.steps;
      this.result = data.result;
      this.work = data.work ?? this.work;
      this.registry.pool.release(this.worker, this);
      this.settle.resolve(data.result);
      this.emit({ type: 'done' });
    }
    if (data.error) {
      if (data.error.fatal) this.registry.pool.lose(this.worker, data.error, this);
      else this.fail(data.error);
    }
  }

  fail(error) {
    if (!this.live) return;
    this.state = 'error';
    this.error = runError(error);
    this.registry.pool.release(this.worker, this);
    for (const { reject } of this.requests.values()) reject(this.error);
    this.requests.clear();
    this.settle.reject(this.error);
    this.emit({ type: 'error' });
  }
}

// A JS Error with the core's .param, .code and .values, and .fatal / .detail for a crashed worker.
function runError(e) {
  return Object.assign(new Error(e.message), { param: e.param ?? null, code: e.code ?? null, values: e.values ?? null, fatal: !!e.fatal, detail: e.detail ?? null });
}

// A failure in the person's terms: a crash is a bug of the playground, not of their settings.
export function errorText(error) {
  if (error?.code === 'worker_panic') return t('run.error.panic', { detail: (error.detail || error.message).slice(0, 200) });
  if (error?.code === 'worker_lost') return t('run.error.lost');
  return t('error.job', { message: coreMessage(error) });
}

// "12.3 GFLOP/s, about 2 s left": the run's speed in its kind's unit and the time left.
export function speedText(run) {
  const { work } = run;
  const unit = KINDS[run.kind]?.unit;
  if (!work || !(work.rate > 0) || !unit) return '';
  const speed = unit === 'flop' ? t('run.speed.flop', { rate: (work.rate / 1e9).toFixed(1) }) : t(`run.speed.${unit}`, { rate: work.rate < 10 ? work.rate.toFixed(1) : Math.round(work.rate) });
  if (work.eta === null || work.eta === undefined) return speed;
  const left = work.eta < 1 ? t('run.left.under_second') : work.eta < 90 ? t('run.left.seconds', { n: Math.round(work.eta) }) : t('run.left.minutes', { n: Math.round(work.eta / 60) });
  return `${speed}, ${left}`;
}

class Registry {
  constructor() {
    this.pool = new Pool(this);
    this.runs = new Map(); // id → Run, in the order they were opened
    this.nextId = 1;
    this.nextReq = 1;
    this.opened = 0; // runs opened since the page loaded (tests check that a re-render opens none)
    this.listeners = new Set();
    this.shown = new Map(); // owner → the run it shows
  }

  // The owner's run for the settings `key`. When the key differs from the run the owner shows, that run is replaced:
  // closed if its kind is stateless (recomputing it is cheap), else paused and kept in the registry (runs.list),
  // where a later show() with its key — Back, say — finds it again. The new run starts unless options.paused.
  show(owner, kind, key, config, options = {}) {
    const current = this.current(owner);
    if (current?.key === key) return current;
    if (current) {
      if (KINDS[current.kind]?.stateless) current.close();
      else current.pause();
    }
    const run = this.list().find((r) => r.owner === owner && r.key === key) ?? this.open(kind, config, { ...options, owner, key });
    this.shown.set(owner, run);
    return run;
  }

  // The run an owner shows (it may be done or have failed: its results stay readable), unless it was closed.
  current(owner) {
    const run = this.shown.get(owner);
    return run && run.state !== 'closed' ? run : undefined;
  }

  open(kind, config, { paused = false, ...meta } = {}) {
    const run = new Run(this, this.nextId++, kind, config, meta);
    if (paused) run.state = 'paused';
    this.runs.set(run.id, run);
    this.opened++;
    run.worker = this.pool.assign(run);
    run.worker.post({ op: 'open', run: run.id, kind, config, paused }); // config is copied (a panel keeps its image)
    this.changed(run, { type: 'open' });
    return run;
  }

  list() {
    return [...this.runs.values()];
  }

  receive(worker, data) {
    const run = this.runs.get(data.run);
    if (run && run.worker === worker) run.receive(data);
  }

  forget(run) {
    this.runs.delete(run.id);
    this.changed(run, { type: 'close' });
  }

  // Listeners of every run's events, for a list of runs (and for tests).
  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  changed(run, event) {
    for (const fn of [...this.listeners]) fn(run, event);
  }

  // The pool as tests and diagnostics see it.
  workers() {
    return this.pool.workers.map((w) => ({
      index: w.index, runs: [...w.runs].map((r) => r.id), closing: w.closing.size, memory: w.memory,
    }));
  }
}

export const runs = new Registry();
