// Writes www/build.js for the service worker (www/sw.js): the build's id — a hash of every file the page serves, so
// a new build (new wasm, new scripts, new data) makes a new cache and the old one is deleted — and the list of those
// files to cache on install. Run by `make build` (and before the end-to-end tests): `node tools/sw-manifest.mjs www`.
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const OUT = 'build.js';
// Not part of the offline copy: the manifest and the worker themselves (the browser keeps the worker's scripts),
// wasm-bindgen's TypeScript declarations and package files, and notes for people reading the tree.
const SKIP = /(^|\/)(build\.js|sw\.js|package\.json|\.gitignore|README\.md)$|\.d\.ts$/;

async function files(root, dir = root) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await files(root, path)));
    else out.push(relative(root, path).split(sep).join('/'));
  }
  return out;
}

export async function writeManifest(root) {
  const list = (await files(root)).filter((f) => !SKIP.test(f)).sort();
  const hash = createHash('sha256');
  for (const f of list) hash.update(`${f}\0`).update(await readFile(join(root, f))).update('\0');
  const id = hash.digest('hex').slice(0, 16);
  // A folder's index.html is also fetched as the folder itself ('./', 'notes/').
  const urls = list.flatMap((f) => (f === 'index.html' ? ['./', f] : f.endsWith('/index.html') ? [f.slice(0, -'index.html'.length), f] : [f]));
  const text = `// Written by tools/sw-manifest.mjs (make build); not committed.\nself.BUILD = ${JSON.stringify({ id, files: urls }, null, 1)};\n`;
  await writeFile(join(root, OUT), text);
  return { id, files: urls };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { id, files: urls } = await writeManifest(process.argv[2] ?? 'www');
  console.log(`${process.argv[2] ?? 'www'}/${OUT}: build ${id}, ${urls.length} files`);
}
