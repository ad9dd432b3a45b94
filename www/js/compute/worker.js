// The compute worker: a module worker that owns one wasm instance and the sessions (runs) opened in it. The page's
// side is www/js/compute/runs.js; the kinds of session are in www/js/compute/jobs.js. Protocol:
//   in:  { op: 'wasm', module }                      first: the page's compiled WebAssembly.Module (or null)
//        { op: 'open', run, kind, config, paused }   open a session; it starts stepping unless paused
//        { op: 'resume', run }                        step until done (or paused)
//        { op: 'pause', run }                         stop after the step in progress; the session keeps its state
//        { op: 'step', run, n }                       take n more steps, then pause
//        { op: 'snapshot', run, req }                 answer { run, req, snapshot } between two steps
//        { op: 'load', run, req, bytes }              the session's load(bytes) between two steps (a training run:
//                                                     weights from a safetensors file); answer { run, req, loaded }
//        { op: 'predict', run, req, query }          the session's predict(query) (the drawing pad); answer
//                                                     { run, req, predicted }
//        { op: 'close', run }                         free the session (a running one stops at its next step)
//   out: { run, progress: [items], work }            items in order, at most one message per FRAME_MS per run,
//                                                     except that an item with flush: true (a phase's end) goes at once
//        { run, state: 'running' | 'paused', steps }  after resume / pause / step; steps taken so far
//        { run, result, work, steps }                 the session finished (its last progress comes first)
//        { run, req, snapshot } / { run, req, loaded } / { run, req, error }  (a request to a session that has
//                                                     ended is answered with an error, code 'run_ended')
//        { run, error: { message, code, param, values, fatal, detail } }
//   Every message also carries memory: the wasm instance's memory in bytes (it only grows; runs.js retires a worker
//   whose memory grew large once it holds no live run). work is { done, total, rate, eta } (units per second of
//   running time, seconds left) when the session reports how far it is, else null.
// Sessions step one at a time, round robin; between two steps the worker gives the event loop a turn, so that pause,
// close and snapshot are seen at the next step boundary and a paused session resumes exactly where it stopped.

import { loadWasm } from './wasm.js';
import { KINDS } from './jobs.js';

const FRAME_MS = 16; // at most one progress message per run per animation frame
// The build the page chose, from this worker's URL (www/js/compute/wasm.js), and the page's compiled module, which the page
// posts first ({ op: 'wasm', module }; null: fetch it here), so one page downloads the wasm once.
let wasm = null;
let gotModule;
const ready = new Promise((resolve) => { gotModule = resolve; })
  .then((compiled) => loadWasm(undefined, compiled))
  .then(({ module, exports }) => { wasm = module; return exports; });
let readMemory = () => 0;
ready.then((exports) => { readMemory = () => exports.memory.buffer.byteLength; }, () => {});

// A Rust panic reaches JS as a bare RuntimeError ("unreachable"); the panic hook logs the real message first.
let lastPanic = '';
const consoleError = console.error.bind(console);
console.error = (...args) => {
  const text = args.map(String).join(' ');
  if (text.startsWith('panicked at')) lastPanic = text.split('\n').slice(0, 2).join(' ').slice(0, 300);
  consoleError(...args);
};

const sessions = new Map(); // run id → Session
let order = []; // run ids in round-robin order
let looping = false;

class Session {
  constructor(run, kind, iterator) {
    this.run = run;
    this.kind = kind;
    this.iterator = iterator; // next() → { value: progress, done } | { value: result, done: true }
    this.state = 'paused';
    this.budget = Infinity; // steps left before pausing by itself
    this.steps = 0;
    this.pending = [];
    this.lastPost = -Infinity;
    this.work = null; // { done, total } as last reported
    this.base = null; // { done, ms } at the first report
    this.activeMs = 0; // running time, for the rate
    this.since = null; // when it last started running
  }

  start(budget) {
    this.state = 'running';
    this.budget = budget;
  }

  pause() {
    this.state = 'paused';
    this.stopClock();
  }

  stopClock() {
    if (this.since !== null) this.activeMs += performance.now() - this.since;
    this.since = null;
  }

  runningMs() {
    return this.activeMs + (this.since === null ? 0 : performance.now() - this.since);
  }

  // Units per second of running time since the first report (so neither a restored snapshot's work nor a first
  // step's warm-up counts), and seconds left, from the session's own count of work done.
  workReport() {
    if (!this.work) return null;
    const ms = this.runningMs() - this.base.ms;
    const rate = ms > 0 ? ((this.work.done - this.base.done) / ms) * 1000 : 0;
    const eta = rate > 0 && Number.isFinite(this.work.total) ? Math.max(0, (this.work.total - this.work.done) / rate) : null;
    return { done: this.work.done, total: this.work.total, rate, eta };
  }

  flush(extra = {}) {
    const message = { run: this.run, ...extra };
    if (this.pending.length) message.progress = this.pending;
    if (message.progress || 'result' in message) message.work = this.workReport();
    if (Object.keys(message).length === 1) return;
    this.pending = [];
    this.lastPost = performance.now();
    post(message, [...(message.progress ?? []), message.result]);
  }
}

function post(message, values = []) {
  message.memory = readMemory();
  postMessage(message, values.flatMap(transferables));
}

// Typed arrays in a message move instead of being copied.
function transferables(value) {
  if (!value || typeof value !== 'object') return [];
  return Object.values(value).filter((v) => ArrayBuffer.isView(v)).map((v) => v.buffer);
}

// A macrotask turn that, unlike setTimeout, is not clamped to 4 ms when nested.
function turn() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = resolve;
    channel.port2.postMessage(0);
  });
}

function errorOf(e) {
  // A Rust panic surfaces as a WebAssembly.RuntimeError: the instance is no longer trustworthy.
  const fatal = e instanceof WebAssembly.RuntimeError;
  return {
    message: String(e?.message ?? e).slice(0, 500), code: fatal ? 'worker_panic' : e?.code ?? null,
    param: e?.param ?? null, values: e?.values ?? null, fatal, detail: fatal ? lastPanic : null,
  };
}

function fail(session, e) {
  drop(session);
  session.pending = [];
  post({ run: session.run, error: errorOf(e) });
}

function drop(session) {
  sessions.delete(session.run);
  order = order.filter((id) => id !== session.run);
  try {
    session.iterator.return?.(); // a generator's finally frees its wasm objects
  } catch {
    // the session was already broken; nothing more to free
  }
}

function step(session) {
  if (session.since === null) session.since = performance.now();
  let r;
  try {
    r = session.iterator.next();
  } catch (e) {
    fail(session, e);
    return;
  }
  session.steps++;
  if (r.value?.work) {
    session.work = r.value.work;
    session.base ??= { done: session.work.done, ms: session.runningMs() };
  }
  if (r.done) {
    session.stopClock();
    sessions.delete(session.run);
    order = order.filter((id) => id !== session.run);
    session.flush({ result: r.value ?? null, steps: session.steps });
    return;
  }
  session.pending.push(r.value ?? {});
  if (--session.budget <= 0) {
    session.pause();
    session.flush({ state: 'paused', steps: session.steps });
  } else if (r.value?.flush || performance.now() - session.lastPost >= FRAME_MS) {
    session.flush();
  }
}

// Steps the running sessions in turn until none is left running.
async function loop() {
  if (looping) return;
  looping = true;
  try {
    for (let i = 0; ; i++) {
      await turn(); // pause, close and snapshot messages get in here
      const running = order.filter((id) => sessions.get(id)?.state === 'running');
      if (!running.length) break;
      step(sessions.get(running[i % running.length]));
    }
  } finally {
    looping = false;
  }
}

function open({ run, kind, config, paused }) {
  try {
    const k = KINDS[kind];
    if (!k) throw Object.assign(new Error(`unknown kind ${String(kind).slice(0, 40)}`), { param: 'kind' });
    const session = new Session(run, kind, k.open(wasm, config ?? {}));
    sessions.set(run, session);
    order.push(run);
    if (!paused) {
      session.start(Infinity);
      loop();
    }
  } catch (e) {
    post({ run, error: errorOf(e) });
  }
}

function handle(data) {
  if (data.op === 'open') {
    open(data);
    return;
  }
  const session = sessions.get(data.run);
  if (!session) { // finished or failed already: late messages are harmless, a close is still acknowledged and a request
    // still answered
    if (data.op === 'close') post({ run: data.run, state: 'closed' });
    if ('req' in data) post({ run: data.run, req: data.req, error: { message: 'the run has ended', code: 'run_ended' } });
    return;
  }
  switch (data.op) {
    case 'resume':
    case 'step':
      session.start(data.op === 'step' ? Math.max(1, Math.floor(data.n) || 1) : Infinity);
      session.flush({ state: 'running', steps: session.steps });
      loop();
      break;
    case 'pause':
      if (session.state !== 'running') break;
      session.pause();
      session.flush({ state: 'paused', steps: session.steps });
      break;
    case 'snapshot':
      try {
        post({ run: data.run, req: data.req, snapshot: session.iterator.snapshot?.() ?? { steps: session.steps, work: session.workReport() } });
      } catch (e) {
        post({ run: data.run, req: data.req, error: errorOf(e) });
      }
      break;
    case 'load':
      try {
        if (!session.iterator.load) throw Object.assign(new Error(`a ${session.kind} run cannot load weights`), { code: 'not_supported' });
        post({ run: data.run, req: data.req, loaded: session.iterator.load(data.bytes) });
      } catch (e) {
        post({ run: data.run, req: data.req, error: errorOf(e) });
      }
      break;
    case 'predict': // the drawing pad's session (jobs.js 'draw'): answer { run, req, predicted }
      try {
        if (!session.iterator.predict) throw Object.assign(new Error(`a ${session.kind} run cannot predict`), { code: 'not_supported' });
        post({ run: data.run, req: data.req, predicted: session.iterator.predict(data.query ?? {}) });
      } catch (e) {
        post({ run: data.run, req: data.req, error: errorOf(e) });
      }
      break;
    case 'close':
      drop(session);
      post({ run: data.run, state: 'closed' });
      break;
  }
}

// Messages are handled in the order they came, once the wasm instance is ready (a step sent right after an open
// must find its session).
self.onmessage = ({ data }) => {
  if (!data || typeof data !== 'object') return;
  if (data.op === 'wasm') {
    gotModule(data.module instanceof WebAssembly.Module ? data.module : null);
    return;
  }
  ready.then(() => handle(data), (e) => { if (data.op === 'open') post({ run: data.run, error: errorOf(e) }); });
};
