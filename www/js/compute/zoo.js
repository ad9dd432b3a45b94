// The model zoo as the page sees it: www/zoo/manifest.json lists the pretrained models (spec, input, source data,
// accuracy, seed, checksum); each file is fetched once per page and checked by the core (zoo_verify: length,
// sha256, exactly the tensors of the spec) before anything uses it. A file that fails is refused with the core's
// code (zoo_truncated, zoo_checksum, zoo_corrupt, zoo_architecture) and nothing else changes.

const ZOO = new URL('../../zoo/', import.meta.url);

let manifest = null;
const files = new Map(); // name → Promise<Uint8Array> of verified bytes

async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw Object.assign(new Error(`${url.pathname}: HTTP ${response.status}`), { code: 'zoo_fetch', param: 'zoo', values: { status: response.status } });
  return new Uint8Array(await response.arrayBuffer());
}

export function zooManifest() {
  manifest ??= fetch(new URL('manifest.json', ZOO)).then(async (r) => {
    if (!r.ok) throw Object.assign(new Error(`zoo/manifest.json: HTTP ${r.status}`), { code: 'zoo_fetch', param: 'zoo', values: { status: r.status } });
    return r.json();
  });
  manifest.catch(() => { manifest = null; }); // a failed fetch is tried again next time
  return manifest;
}

// The manifest entry of a model, or an error naming the zoo parameter.
export async function zooEntry(name) {
  const entry = (await zooManifest()).models.find((m) => m.name === name);
  if (!entry) throw Object.assign(new Error(`zoo: no model named ${name} in zoo/manifest.json`), { code: 'zoo_unknown', param: 'zoo', values: {} });
  return entry;
}

// The verified bytes of a model's weights. A file that fails its check is not kept, so a later try fetches it again.
export function zooWeights(wasm, entry) {
  if (!files.has(entry.name)) {
    const bytes = fetchBytes(new URL(entry.file, ZOO)).then((b) => {
      wasm.zoo_verify(entry, b);
      return b;
    });
    files.set(entry.name, bytes);
    bytes.catch(() => files.delete(entry.name));
  }
  return files.get(entry.name);
}

// A model pretrained in this page replaces the fetched file for the rest of the session (the caller has checked that
// it is this model's: Trainer.load_backbone takes it). version(name) changes with it, so views that key their runs on
// it open new ones; live(name) says what the page knows about it.
const session = new Map(); // name → { version, sha256, identical, acc, seconds }
export function useLive(entry, bytes, info) {
  const version = (session.get(entry.name)?.version ?? 0) + 1;
  session.set(entry.name, { ...info, version });
  files.set(entry.name, Promise.resolve(bytes));
}
export const zooVersion = (name) => session.get(name)?.version ?? 0;
export const live = (name) => session.get(name) ?? null;

// The SHA-256 of bytes as hex, as the manifest writes it (the browser's own digest; the page is a secure context).
export async function sha256Hex(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}
