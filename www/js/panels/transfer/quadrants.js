// The quadrant view (experiment=quadrants): the lecture's 2×2 of data set size × similarity to the source. In each
// quadrant every strategy trains on the same target, repeated with different seeds; the quadrant's chart overlays the
// strategies' mean validation curves (one legend for the four charts), the lecture's recommendation is marked, and
// the core's verdict (transfer_verdict: Welch's t at 95 %, floored by the validation set's binomial error) says
// whether this run agreed with it, with the advised strategy against from-scratch and against each other strategy.
// Each (quadrant, strategy) is a cell, a run of its own in the registry, so the pool's workers share the experiment.

import { lang, t } from '../../i18n/index.js';
import { scriptButton } from '../../ui/script-download.js';
import { controlSet } from '../../url/controls.js';
import { atMost, dataTable, el, plain } from '../../ui/dom.js';
import { errorText } from '../../compute/runs.js';
import { meanCurve, meanStd } from './lessons.js';
import {
  strategies, cellConfig, cellLr, checkCell, costText, drawValCurves, showZoo, overallState, pct, planOf, showCells, stateOf, viewLinks,
  REFRESH_MS, pretrainBox,
} from './shared.js';
import { zooVersion } from '../../compute/zoo.js';
import { unstarted } from '../train/paused.js';

export const SETTINGS = ['zoo', 'k', 'ft_lr', 'repeats', 'seed', 'bn_stats'];

export function quadrantsView(section, ctx) {
  const { wasm } = ctx;
  const plan = planOf(wasm);
  const controls = controlSet(ctx);
  const zoo = controls.enumField('zoo', 'transfer.zoo', (v) => t(`transfer.zoo.${v}`));
  const k = controls.numberField('k', 'transfer.k', 1, 'transfer.k.help');
  const ftLr = controls.numberField('ft_lr', 'transfer.ft_lr', 'any', 'transfer.ft_lr.help');
  const repeats = controls.numberField('repeats', 'transfer.repeats', 1, 'transfer.repeats.help');
  const seed = controls.numberField('seed', 'init.seed', 1);
  const bnStats = controls.enumField('bn_stats', 'transfer.bn_stats', (v) => t(`transfer.bn_stats.${v}`));
  bnStats.wrap.append(el('p', { class: 'field-help', 'data-help': 'bn_stats' }, t('transfer.bn_stats.help')));
  const zooInfo = el('p', { class: 'field-help', 'data-zoo-info': '' });
  const pretrain = pretrainBox(wasm, () => { shownKey = null; update(ctx.state); });
  const form = el('form', { class: 'controls', onsubmit: (e) => e.preventDefault() }, zoo.wrap, zooInfo, pretrain.box, k.wrap, ftLr.wrap, repeats.wrap, seed.wrap, bnStats.wrap);

  const buttons = {
    start: el('button', { type: 'button', 'data-action': 'start', onclick: () => cells.forEach((c) => c.run?.resume()) }, t('transfer.action.start')),
    pause: el('button', { type: 'button', 'data-action': 'pause', onclick: () => cells.forEach((c) => c.run?.pause()) }, t('train.action.pause')),
    reset: el('button', { type: 'button', 'data-action': 'reset-run', onclick: resetAll }, t('train.action.reset-run')),
  };
  const progress = el('progress', { max: 1, value: 0, 'aria-label': t('transfer.progress'), 'data-progress': 'experiment' });
  const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const message = el('p', { class: 'field-error', role: 'alert', 'data-message': '' });
  const strategyTable = dataTable('transfer-strategies', 'transfer.strategies.table', [['strategy', 'transfer.col.strategy'],
    ['lr', 'transfer.col.lr'], ['steps', 'transfer.col.steps'], ['trainable_params', 'transfer.col.trainable_params'],
    ['flops_per_step', 'transfer.col.flops_per_step'], ['ms_per_step', 'transfer.col.ms_per_step']]);
  const table = dataTable('transfer-quadrants', 'transfer.quadrants.table', [['size', 'transfer.col.size'], ['sim', 'transfer.col.sim'],
    ['strategy', 'transfer.col.strategy'], ['trainable_params', 'transfer.col.trainable_params'], ['final_acc_mean', 'transfer.col.final_acc_mean'],
    ['final_acc_std', 'transfer.col.final_acc_std'], ['repeats', 'transfer.col.repeats'], ['steps', 'transfer.col.steps'], ['agrees', 'transfer.col.agrees'],
    ['advised_vs', 'transfer.col.advised_vs']]);
  const curveTable = dataTable('transfer-curves', 'transfer.curves.table', [['size', 'transfer.col.size'], ['sim', 'transfer.col.sim'],
    ['strategy', 'transfer.col.strategy'], ['step', 'train.col.step'], ['val_acc', 'train.col.val_acc'], ['val_loss', 'train.col.val_loss']]);

  // One box per quadrant, in the plan's order (small similar, small different, large similar, large different): two
  // columns, so a row is a size and a column a similarity.
  const quadrants = plan.quadrants.map((q) => {
    const id = `${q.size}_${q.sim}`;
    const canvas = el('canvas', { 'data-quadrant': id, role: 'img', 'aria-label': t(`transfer.quadrant.${id}`) });
    const list = el('ul', { class: 'cells' });
    const verdict = el('div', { class: 'summary', 'data-verdict': id });
    const box = el('figure', { class: 'chart quadrant', 'data-quadrant': id },
      el('h3', {}, t(`transfer.quadrant.${id}`)),
      el('p', { class: 'field-help' }, t(q.words)),
      el('p', { class: 'advice' }, t('transfer.advice', { strategy: t(`transfer.strategy.${q.recommended}`) })),
      canvas, list, verdict);
    return { ...q, id, canvas, list, verdict, box };
  });
  const grid = el('div', { class: 'quadrants', 'data-chart': 'transfer-curves' }, quadrants.map((q) => q.box));
  // One legend for the four charts: each strategy's colour (validation accuracy, mean over the repeats).
  const legend = el('p', { class: 'chart-legend', 'data-legend': 'transfer-curves' },
    el('span', {}, t('transfer.legend')),
    ...strategies(wasm).map((s, i) => el('span', { class: 'legend-item' },
      el('span', { class: 'swatch', style: `background:${wasm.run_colors()[i]}` }), t(`transfer.strategy.${s}`))));
  const rule = el('p', { class: 'field-help', 'data-rule': 'verdict' });
  const repeatsNote = el('p', { class: 'field-help' }, t('transfer.quadrants.repeats_note'));
  const emptyNote = el('p', { class: 'empty-state', 'data-empty': 'transfer-curves' }, t('transfer.empty_chart'));

  section.append(
    el('h2', {}, t('transfer.title')),
    el('p', { class: 'intro' }, t('transfer.intro')),
    viewLinks(ctx, 'quadrants'),
    el('div', { class: 'panel-body' },
      form,
      // The quadrants right after the run's progress, so an embedded view (www/js/shell/embedding.js) shows them first.
      el('div', { class: 'outputs' },
        el('div', { class: 'run-buttons' }, buttons.start, buttons.pause, buttons.reset, scriptButton(wasm, () => cells.map((c) => ({ kind: 'transfer', settings: c.config, part: c.id })), 'transfer-quadrants')),
        progress, status, message,
        legend, emptyNote, grid, rule, repeatsNote,
        el('p', { class: 'field-help' }, t('transfer.quadrants.how', { every: plan.quadrant_every })),
        strategyTable.table,
        table.table,
        el('details', { class: 'chart-data' }, el('summary', {}, t('table.show')), curveTable.table))));

  // One cell per (quadrant, strategy).
  let cells = [];
  let costs = {};

  function cellStats(c) {
    const result = c.run?.state === 'done' ? c.run.result : null;
    return result ? { ...meanStd(result.finals), result } : null;
  }

  // At most four times a second: twenty runs report at once, and the cores are the workers'.
  const refresh = atMost(REFRESH_MS, () => {
    if (!cells.length) return; // nothing shown yet: the panel is still busy (aria-busy stays true)
    const states = cells.map((c) => stateOf(c.run));
    section.dataset.runState = overallState(states);
    section.setAttribute('aria-busy', 'false');
    buttons.start.disabled = !states.some((s) => s === 'idle' || s === 'paused');
    buttons.pause.disabled = !states.includes('running');
    const work = cells.reduce((a, c) => {
      const w = c.run?.work;
      const total = c.config.repeats * c.config.steps;
      return { done: a.done + (c.run?.state === 'done' ? total : w?.done ?? 0), total: a.total + total };
    }, { done: 0, total: 0 });
    progress.value = work.total ? work.done / work.total : 0;
    const running = cells.filter((c) => c.run?.state === 'running').length;
    const finished = cells.filter((c) => c.run?.state === 'done').length;
    status.textContent = t('transfer.status', { done: finished, total: cells.length, running, steps: work.done, all: work.total });
    const failed = cells.find((c) => c.run?.state === 'error');
    message.textContent = failed ? errorText(failed.run.error) : message.dataset.message === 'zoo' ? message.textContent : '';

    const rows = [];
    const curveRows = [];
    // Values the core names by an id: the id itself on an English page (scripts and tests read it), the page's word
    // for it on a Korean one (no English left in Korean mode).
    const id = (key, value) => (lang() === 'en' || value === '—' ? value : t(`${key}.${value}`));
    const named = (size, sim, strategy) => [id('transfer.size', size), id('transfer.similarity', sim), id('transfer.strategy', strategy)];
    for (const q of quadrants) {
      const mine = cells.filter((c) => c.quadrant === q);
      const stats = Object.fromEntries(mine.map((c) => [c.strategy, cellStats(c)]));
      const complete = mine.length && mine.every((c) => stats[c.strategy]);
      const verdict = complete ? verdictOf(wasm, q, mine.map((c) => [c.strategy, stats[c.strategy].result.finals])) : null;
      const series = mine.map((c) => ({ name: t(`transfer.strategy.${c.strategy}`), rows: meanCurve(curvesOf(c)) }));
      // Redrawn only when its numbers or its size changed: four charts per frame would crowd the main thread.
      const drawn = `${series.map((x) => x.rows.length).join()}|${q.canvas.clientWidth}|${mine.map((c) => c.run?.state).join()}`;
      if (drawn !== q.drawn) { // empty axes before the first measurement
        drawValCurves(wasm, q.canvas, series, Math.max(...mine.map((c) => c.config.steps)), { legend: false, accuracy_only: true });
        q.drawn = drawn;
      }
      for (const [i, c] of mine.entries()) {
        const st = stats[c.strategy];
        c.elem.dataset.runState = stateOf(c.run);
        c.text.textContent = st ? `${pct(st.mean)} ± ${pct(st.std)}` : c.run?.state === 'error' ? t('transfer.failed') : pct(series[i].rows.at(-1)?.val_acc);
        for (const r of series[i].rows) curveRows.push([...named(q.size, q.sim, c.strategy), String(r.step), plain(r.val_acc), plain(r.val_loss)]);
        if (st) {
          const against = verdict?.against.find((a) => a.strategy === c.strategy);
          rows.push([...named(q.size, q.sim, c.strategy), String(st.result.trainable), plain(st.mean), plain(st.std), String(st.n), String(st.result.steps),
            id('transfer.agrees', verdict?.agrees ?? '—'), id('transfer.outcome', against?.outcome ?? '—')]);
        }
      }
      const key = verdict?.agrees;
      q.verdict.replaceChildren(...(verdict ? verdictLines(q, verdict) : []));
      q.box.dataset.agrees = key ?? '';
    }
    table.setRows(rows);
    curveTable.setRows(curveRows);
    emptyNote.hidden = curveRows.length > 0;
    const n = cells.length && cells.every((c) => cellStats(c)) ? Math.min(...cells.map((c) => cellStats(c).n)) : 0;
    rule.textContent = n ? t(n > 1 ? 'transfer.rule.welch' : 'transfer.rule.one', { n, val: quadrants[0].val_size }) : '';
    showCosts();
  });
  new ResizeObserver(() => refresh()).observe(grid);

  // The curves of a cell: the finished result's, else what its progress has reported so far.
  function curvesOf(c) {
    if (c.run?.state === 'done') return c.run.result.curves;
    const byRepeat = [];
    for (const p of c.run?.items ?? []) (byRepeat[p.repeat] ??= []).push(p);
    return byRepeat.filter(Boolean);
  }

  // Per strategy: its learning rate and steps, what it trains and what a step costs (measured once cells finish).
  function showCosts() {
    strategyTable.setRows(strategies(wasm).filter((s) => costs[s]).map((s) => {
      const done = cells.filter((c) => c.strategy === s && c.run?.state === 'done');
      const ms = done.length ? done.reduce((a, c) => a + c.run.result.msPerStep, 0) / done.length : NaN;
      const config = cells.find((c) => c.strategy === s)?.config;
      return [lang() === 'en' ? s : t(`transfer.strategy.${s}`), plain(cellLr(plan, config)), String(config.steps), String(costs[s].trainable), plain(costs[s].flops), Number.isFinite(ms) ? ms.toFixed(3) : '—'];
    }));
  }

  function follow(cellList) {
    for (const c of cells) c.unsubscribe?.();
    cells = cellList;
    for (const c of cells) {
      const text = el('span', { class: 'status' });
      c.elem = el('li', { 'data-cell': c.id, 'data-run-state': 'idle' },
        t(`transfer.strategy.${c.strategy}`),
        c.strategy === c.quadrant.recommended ? el('strong', { class: 'recommended', title: t('transfer.recommended') }, ` ★ ${t('transfer.recommended')}`) : null,
        ': ', text);
      c.text = text;
      c.quadrant.list.append(c.elem);
      c.unsubscribe = c.run.subscribe(() => refresh());
    }
    refresh();
  }

  function resetAll() {
    for (const c of cells) c.run?.close();
    shownKey = null;
    update(ctx.state);
  }

  let shownKey = null;
  let token = 0;
  async function update(s) {
    controls.sync(s);
    const key = `${SETTINGS.map((n) => s[n]).join('|')}|${zooVersion(s.zoo)}`;
    if (key === shownKey) return;
    const mine = ++token;
    const zooModel = await showZoo(wasm, s.zoo, { zoo, zooInfo, message, section }, () => mine === token);
    if (!zooModel) return;
    pretrain.show(zooModel.entry);
    const list = plan.quadrants.flatMap((q, qi) => strategies(wasm).map((strategy) => ({
      id: `${q.size}_${q.sim}_${strategy}`, strategy, quadrant: quadrants[qi],
      config: cellConfig(wasm, s, zooModel, { strategy, data: q.data, steps: q.steps, every: plan.quadrant_every }),
    })));
    try {
      costs = Object.fromEntries(strategies(wasm).map((st) => [st, checkCell(wasm, list.find((c) => c.strategy === st).config)]));
    } catch (e) {
      if (e?.param && e.param in s) ctx.reject(e);
      else showMessage('error', errorText(e));
      return;
    }
    shownKey = key;
    for (const q of quadrants) { q.list.replaceChildren(); q.drawn = null; }
    // Cells never started are closed, not kept paused: each settings change would otherwise leave 20 more runs.
    for (const c of cells) if (c.run && unstarted(c.run)) c.run.close();
    const opened = showCells(ctx, list, `quadrants|${key}`);
    list.forEach((c, i) => { c.run = opened[i]; });
    follow(list);
  }

  function showMessage(kind, text) {
    message.dataset.message = kind;
    message.textContent = text;
    section.dataset.runState = 'error';
    section.setAttribute('aria-busy', 'false');
  }

  return { update, dispose: () => { token++; pretrain.dispose(); for (const c of cells) c.unsubscribe?.(); } };
}

// The core's verdict on a quadrant (transfer_verdict): { agrees: 'yes' | 'no' | 'undecided', against: [{ strategy,
// outcome, diff, margin, df, … }] }, the advised strategy against from-scratch first. finals: [[strategy, accuracies]].
function verdictOf(wasm, q, finals) {
  return wasm.transfer_verdict(q.recommended, finals.map((f) => f[0]), finals.map((f) => Float64Array.from(f[1])), q.val_size);
}

const points = (x) => `${x >= 0 ? '+' : '−'}${(100 * Math.abs(x)).toFixed(1)}`;

// The verdict in words: the headline (agrees, does not, undecided) and one line per comparison, each with its
// difference, the 95 % margin it had to exceed and Welch's degrees of freedom.
function verdictLines(q, v) {
  const name = (s) => t(`transfer.strategy.${s}`);
  const scratch = v.against.find((a) => a.strategy === 'scratch');
  const beaten = v.against.filter((a) => a.outcome === 'worse').sort((a, b) => a.diff - b.diff)[0];
  const head = el('p', { class: `verdict-${v.agrees}` }, el('strong', {}, t(`transfer.judge.${v.agrees}`, {
    recommended: name(q.recommended), other: beaten ? name(beaten.strategy) : '', diff: (100 * Math.abs(beaten ? beaten.diff : scratch.diff)).toFixed(1),
    margin: (100 * scratch.margin).toFixed(1),
  })));
  const list = el('ul', { class: 'against' }, v.against.map((a) => el('li', { 'data-against': a.strategy, 'data-outcome': a.outcome },
    t('transfer.judge.against', {
      other: name(a.strategy), diff: points(a.diff), outcome: t(`transfer.outcome.${a.outcome}`), margin: (100 * a.margin).toFixed(1),
      df: a.df === null ? '' : t('transfer.judge.df', { df: a.df.toFixed(1) }),
    }))));
  return [head, list];
}
