// The wasm core loaded in node (the page's own build, www/pkg, made by `make build`), for tests that check that
// the page and the core agree. state.configure() gets the core's lists and limits exactly as the page does.
import { readFileSync } from 'node:fs';
import { initSync, core_catalog } from '../../www/pkg/cnn_playground.js';
import { configure } from '../../www/js/url/state.js';

initSync({ module: readFileSync(new URL('../../www/pkg/cnn_playground_bg.wasm', import.meta.url)) });
export const catalog = core_catalog();
configure(catalog);
