// `make pack`: the npm package, as a tarball in target/ (target/cnn-playground-VERSION.tgz). It holds the playground's
// served files as `make build` leaves them in www/ — the page, the lecture page, the scripts, both wasm builds, the
// data — so the element's and the panels' relative URLs work from node_modules as they do on the site, plus a
// package.json whose entry points are the JS API (www/js/index.js) and the custom element (www/js/element.js).
// Version, description and licence come from Cargo.toml. `npm pack` runs offline. Prints the tarball's path.
import { execFileSync } from 'node:child_process';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

function cargoField(toml, name) {
  const m = new RegExp(`^${name} = "([^"]*)"`, 'm').exec(toml);
  if (!m) throw new Error(`Cargo.toml has no ${name}`);
  return m[1];
}

export async function pack(out = join(ROOT, 'target')) {
  const toml = await readFile(join(ROOT, 'Cargo.toml'), 'utf8');
  const name = cargoField(toml, 'name');
  const version = cargoField(toml, 'version');
  const stage = join(ROOT, 'target', 'npm', name);
  await rm(stage, { recursive: true, force: true });
  await mkdir(stage, { recursive: true });
  // wasm-bindgen's own .gitignore would make npm leave the builds out.
  await cp(join(ROOT, 'www'), stage, { recursive: true, filter: (src) => !src.endsWith('.gitignore') });
  await cp(join(ROOT, 'README.md'), join(stage, 'README.md'));
  const pkg = {
    name,
    version,
    description: cargoField(toml, 'description'),
    license: cargoField(toml, 'license'),
    type: 'module',
    main: './js/index.js',
    types: './pkg/cnn_playground.d.ts',
    exports: {
      '.': './js/index.js',
      './element': './js/element.js',
      './wasm': './pkg/cnn_playground.js',
      './style.css': './css/style.css',
      './*': './*',
    },
    sideEffects: ['./js/element.js', './js/offline.js', './js/main.js', './js/notes.js'],
  };
  await writeFile(join(stage, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  await mkdir(out, { recursive: true });
  const file = execFileSync('npm', ['pack', '--silent', '--pack-destination', out], { cwd: stage, encoding: 'utf8' }).trim().split('\n').pop();
  return join(out, file);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(await pack(process.argv[2] ? resolve(process.argv[2]) : undefined));
}
