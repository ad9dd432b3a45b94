// The transfer lab (panel=transfer): fine-tune a pretrained model from the zoo instead of starting from scratch.
// Three experiments (experiment=), each its own module: the four quadrants (quadrants.js), the
// initializations (init.js) and the person's own classes (own.js); what they share lives in
// shared.js. This module only mounts the one the URL names.

import { quadrantsView } from './quadrants.js';
import { initView } from './init.js';
import { ownView } from './own.js';

// The panel shows one experiment at a time; a change of experiment re-mounts the view below the panel's tools, and
// the runs stay in the registry.
export function mount(section, ctx) {
  const keep = [...section.children]; // the panel's tools (Reset, Copy link), placed by main.js
  let view = null;
  let current = null;
  const VIEWS = { quadrants: quadrantsView, init: initView, own: ownView };
  return {
    update(s) {
      if (s.experiment !== current) {
        view?.dispose();
        section.replaceChildren(...keep);
        current = s.experiment;
        view = VIEWS[current](section, ctx);
      }
      view.update(s);
    },
    dispose: () => view?.dispose(),
  };
}
