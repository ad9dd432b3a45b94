// The compute worker: a module worker that owns its own wasm instance. Protocol (see worker-client.js):
//   in:  { id, command, args }            start a job (a new job cancels the running one)
//        { cancel: id }                   stop a job at its next step
//   out: { id, progress }                 zero or more partial results, in order
//        { id, result }                   the job finished
//        { id, error: { message, param, fatal } }   the job failed; fatal = the wasm instance panicked and must go
// Jobs are generators: they yield progress between steps, and between steps the worker gives the event loop a
// turn so that a cancel (or a newer job) is seen without waiting for the whole job.

import initWasm, * as wasm from '../pkg/cnn_playground.js';
import { JOBS } from './jobs.js';

const ready = initWasm();
let running = null; // { id, cancelled }

// A macrotask turn that, unlike setTimeout, is not clamped to 4 ms when nested.
function turn() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = resolve;
    channel.port2.postMessage(0);
  });
}

async function run(id, command, args) {
  const job = { id, cancelled: false };
  if (running) running.cancelled = true;
  running = job;
  try {
    await ready;
    const make = JOBS[command];
    if (!make) throw Object.assign(new Error(`unknown command ${String(command).slice(0, 40)}`), { param: 'command' });
    const steps = make(wasm, args);
    for (;;) {
      await turn();
      if (job.cancelled) {
        steps.return?.();
        return;
      }
      const { value, done } = steps.next();
      if (done) {
        postMessage({ id, result: value ?? null }, transferables(value));
        return;
      }
      postMessage({ id, progress: value }, transferables(value));
    }
  } catch (e) {
    // A Rust panic surfaces as a WebAssembly.RuntimeError: the instance is no longer trustworthy.
    const fatal = e instanceof WebAssembly.RuntimeError;
    postMessage({ id, error: { message: String(e?.message ?? e), param: e?.param ?? null, fatal } });
  } finally {
    if (running === job) running = null;
  }
}

// Typed arrays in a message move instead of being copied.
function transferables(value) {
  if (!value || typeof value !== 'object') return [];
  return Object.values(value).filter((v) => ArrayBuffer.isView(v)).map((v) => v.buffer);
}

self.onmessage = ({ data }) => {
  if (data && 'cancel' in data) {
    if (running?.id === data.cancel) running.cancelled = true;
  } else if (data && 'command' in data) {
    run(data.id, data.command, data.args);
  }
};
