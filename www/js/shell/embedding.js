// Embedding in course notes (README "Embedding"). An embedded view (embed=1) shows its charts first, with the
// controls in a drawer (or none: controls=0) and the presets only with presets=1; it tells the host page its content
// height by postMessage, which www/embed.js (or the host's own script) uses to size the iframe. Every panel has an
// Embed action that gives the <iframe> snippet for the view as it is. Nothing here reads from the host page.

import { t } from '../i18n/index.js';
import { serialize } from '../url/state.js';
import { copyText, el, perFrame } from '../ui/dom.js';

export const HEIGHT_MESSAGE = 'cnn-playground:height';
// The snippet's size: wide enough for the charts' two-column legends, tall enough for the first chart; embed.js then
// gives the iframe the content's height.
export const SNIPPET_SIZE = { width: 700, height: 500 };

// Rearranges a mounted panel for an embedded view: the form goes into a closed drawer placed right after the first
// chart (in the DOM, so reading and tab order follow what is seen), or is hidden with controls=0; the reference
// material (data tables, code, long notes) goes into one closed "more" drawer at the end, so the view reads as its
// charts and its headline, as a lecture page needs. A panel may build its body later or anew (the Train panel's
// views), so the section is watched for new children.
export function arrange(section, state) {
  if (!state.embed) return;
  section.classList.add('embedded');
  arrangeBody(section, state);
  new MutationObserver(() => arrangeBody(section, state)).observe(section, { childList: true });
}

// What an embedded view keeps one click away: the outputs' tables, code, headings of those, notes and help text. The
// charts, the headline ([data-summary]), status lines, run buttons, warnings and the overflow note stay in view.
const MORE = [':scope > table', ':scope > details.chart-data', ':scope > .code', ':scope > h3', ':scope > p.note:not([data-note="overflow"])',
  ':scope > p.field-help', ':scope > p.published', ':scope > ul', ':scope > dl', ':scope > .family-notes'].join(', ');

function compact(outputs, extra = []) {
  const items = [...extra, ...outputs.querySelectorAll(MORE)];
  if (!items.length) return;
  let more = outputs.querySelector(':scope > details[data-drawer="more"]');
  if (!more) {
    more = el('details', { class: 'drawer more', 'data-drawer': 'more' }, el('summary', {}, t('embed.more')));
    outputs.append(more);
  }
  more.append(...items);
}

function arrangeBody(section, state) {
  for (const presets of section.querySelectorAll(':scope > .presets, :scope > .preset-note')) presets.hidden = !state.presets;
  // Without its presets a preset's long note is reference material too: first in the drawer.
  const note = state.presets ? null : section.querySelector(':scope > .preset-note');
  const body = section.querySelector('.panel-body > .outputs');
  if (body) compact(body, note ? [note] : []);
  const form = section.querySelector('.panel-body > form.controls');
  if (!form) return;
  if (!state.controls) {
    form.hidden = true;
    return;
  }
  const drawer = el('details', { class: 'drawer', 'data-drawer': 'controls' }, el('summary', {}, t('embed.settings')));
  const outputs = section.querySelector('.panel-body > .outputs');
  const firstChart = outputs && [...outputs.children].find((c) => c.matches('figure.chart, :has(figure.chart)'));
  form.replaceWith(drawer);
  drawer.append(form);
  if (firstChart) firstChart.after(drawer);
}

// What arrange() depends on: a change in it mounts the panel afresh.
export const layoutKey = (s) => [s.embed, s.embed && s.controls, s.embed && s.presets].join('|');

// The iframe's content height, posted to the host page whenever it changes (at most once per frame). The message
// holds no secret (a height, the panel and the id from the link), so any host may read it: targetOrigin '*'.
export function reportHeight(getState) {
  if (window.parent === window) return;
  let last = -1;
  const post = perFrame(() => {
    const s = getState();
    if (!s?.embed) return;
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ type: HEIGHT_MESSAGE, id: s.embed_id, panel: s.panel, height }, '*');
  });
  new ResizeObserver(() => post()).observe(document.documentElement);
  return post;
}

// Text for an HTML attribute value in double quotes.
const attr = (s) => String(s).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

// The snippet for a view: the iframe (the view embedded, its settings exactly as now) and the optional sizing script.
// `pageUrl` is the playground's page (the view's full link will do).
export function snippet(state, pageUrl) {
  const base = pageUrl.split('#')[0];
  const src = base + serialize({ ...state, embed: true, embed_id: state.embed_id || state.panel });
  const title = `${t('app.title')}: ${t(`panel.${state.panel}`)}`;
  const { width, height } = SNIPPET_SIZE;
  return `<iframe src="${attr(src)}" title="${attr(title)}" width="${width}" height="${height}" `
    + `style="width:100%;max-width:${width}px;border:1px solid #d9dde3;border-radius:6px" loading="lazy" allow="clipboard-write"></iframe>\n`
    + `<script src="${attr(new URL('embed.js', base).href)}" defer></script>`;
}

// The Embed action: a button that opens a box with the snippet and the plain link (read-only fields) and copies the
// snippet; where the browser refuses the clipboard (a cross-origin iframe without clipboard-write), the snippet stays
// selected in its field for Ctrl+C. `linkOf(state)` is the plain link to the view in the full playground page.
export function embedAction(getState, linkOf) {
  const status = el('span', { class: 'tools-status', role: 'status' });
  const snippetField = el('textarea', { readonly: true, rows: '4', spellcheck: 'false', 'data-embed': 'snippet', class: 'mono' });
  const linkField = el('input', { type: 'text', readonly: true, spellcheck: 'false', 'data-embed': 'link', class: 'mono' });
  const copyButton = (field, done) => el('button', {
    type: 'button', class: 'embed-copy', 'data-copy': field.dataset.embed,
    onclick: async () => { status.textContent = (await copyText(field.value, field)) ? t(done) : t('embed.copy_refused'); },
  }, t('copy'));
  const box = el('div', { class: 'embed-box', hidden: true },
    el('p', { class: 'field-help' }, t('embed.help')),
    el('label', {}, el('span', {}, t('embed.snippet')), snippetField),
    copyButton(snippetField, 'embed.copied'),
    el('label', {}, el('span', {}, t('embed.link')), linkField),
    copyButton(linkField, 'tools.copied'));
  const button = el('button', {
    type: 'button', 'data-action': 'embed', 'aria-expanded': 'false',
    onclick: async () => {
      const open = box.hidden;
      box.hidden = !open;
      button.setAttribute('aria-expanded', String(open));
      if (!open) { status.textContent = ''; return; }
      const s = getState();
      linkField.value = linkOf(s);
      snippetField.value = snippet(s, linkField.value);
      status.textContent = (await copyText(snippetField.value, snippetField)) ? t('embed.copied') : t('embed.copy_refused');
    },
  }, t('tools.embed'));
  return { button, status, box };
}
