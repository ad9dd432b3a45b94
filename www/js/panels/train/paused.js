// The Train panel's runs with other settings: a run whose settings changed (a control, a link, Back) is paused and
// stays in the registry (runs.show), as does a finished one; this list shows each with its settings — as they differ
// from the current ones — and how far it got, with Resume (back to its settings, and on from where it stopped; Show
// for a finished run) and Discard (closes it). A comparison's runs are listed as one entry. Used by the single view
// and the comparison views, which pass the runs they show.

import { t } from '../../i18n/index.js';
import { el, perFrame, plain } from '../../ui/dom.js';
import { runs } from '../../compute/runs.js';
import { curveRows } from './facts.js';
import { COMPARISONS } from './lessons.js';

// The URL values that tell a run's settings apart from the current ones, as `name=value` (view first).
function differences(settings, current, keys) {
  return ['view', ...keys].filter((k) => settings[k] !== current[k]).map((k) => `${k}=${settings[k] === '' ? '∅' : settings[k]}`);
}

// A run that was never started (and holds no imported weights, r.keep) has nothing worth keeping: when its settings
// change it is closed rather than listed, so idle runs do not pile up in the workers' memory.
export const unstarted = (r) => r.state === 'paused' && r.steps === 0 && !r.keep;

export function pausedRuns(ctx, keys, shown) {
  // This app's training runs (the page's, or one element's): the single view's and every comparison arm's owner.
  const owners = new Set([ctx.owner('train'), ...Object.values(COMPARISONS).flatMap((c) => c.arms.map((a) => ctx.owner(`train-compare-${a.id}`)))]);
  const isTraining = (r) => owners.has(r.owner);
  const list = el('ul', { class: 'paused-list' });
  const wrap = el('div', { class: 'paused-runs', 'data-paused-runs': '', hidden: true },
    el('h3', {}, t('train.paused.title')), el('p', { class: 'field-help' }, t('train.paused.help')), list);

  // Groups of runs (a comparison's arms together) that are live and started, or finished, and not shown.
  function groups() {
    const showing = new Set(shown());
    const byGroup = new Map();
    for (const r of runs.list()) {
      if (!isTraining(r) || !(r.live || r.state === 'done') || !r.settings || unstarted(r) || showing.has(r)) continue;
      const id = `${r.settings.view}|${keys.map((k) => r.settings[k]).join('|')}`;
      if (!byGroup.has(id)) byGroup.set(id, []);
      byGroup.get(id).push(r);
    }
    return [...byGroup.values()];
  }

  function progressText(group) {
    return group.map((r) => {
      const total = r.items.find((p) => p.info)?.info.total ?? '?';
      const last = curveRows(r.items).at(-1);
      const step = t('train.at', { step: Math.round((r.work?.done ?? 0) / r.config.bs), total });
      return last ? `${step}, ${t('train.paused.val', { acc: plain(last.val_acc) })}` : step;
    }).join('; ');
  }

  const refresh = perFrame(() => {
    const current = ctx.state;
    const items = groups().map((group) => {
      const { settings } = group[0];
      const diff = differences(settings, current, keys);
      const what = diff.length ? diff.join(' · ') : t('train.paused.same');
      const label = `${what} (${progressText(group)})`;
      const finished = group.every((r) => r.state === 'done');
      return el('li', { 'data-run-ids': group.map((r) => r.id).join(' ') },
        el('code', { class: 'paused-what' }, what), ' ', el('span', { class: 'paused-progress' }, progressText(group)), ' ',
        el('button', {
          type: 'button', 'data-action': 'resume-paused', 'aria-label': t(finished ? 'train.paused.show.label' : 'train.paused.resume.label', { what: label }),
          onclick: () => {
            ctx.set(Object.fromEntries(['view', ...keys].map((k) => [k, settings[k]])));
            for (const r of group) if (r.live) r.resume();
          },
        }, t(finished ? 'train.paused.show' : 'train.paused.resume')), ' ',
        el('button', {
          type: 'button', 'data-action': 'discard-paused', 'aria-label': t('train.paused.discard.label', { what: label }),
          onclick: () => { for (const r of group) r.close(); },
        }, t('train.paused.discard')));
    });
    list.replaceChildren(...items);
    wrap.hidden = !items.length;
  });

  const stop = runs.subscribe((r, event) => {
    if (isTraining(r) && event.type !== 'progress') refresh();
  });
  refresh();
  return { wrap, refresh, dispose: stop };
}
