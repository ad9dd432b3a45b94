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
  strategies, strategyOf, cellConfig, cellLr, checkCell, drawValCurves, namesSetting, pct, planOf, points, pretrainBox, runButtons, runCurves,
  settingsForm, showCells, showMessage, showRunError, showRunState, stateOf, viewHead, zooUpdates, REFRESH_MS,
} from './shared.js';
import { unstarted } from '../train/paused.js';

export const SETTINGS = ['zoo', 'k', 'ft_lr', 'repeats', 'seed', 'bn_stats'];

// The view's state lives in one object (v): its parts (buttons, tables, the quadrants' boxes), its cells (one per
// (quadrant, strategy)), what a step of each strategy costs, and the key of the settings shown.
export function quadrantsView(section, ctx) {
  const { wasm } = ctx;
  const plan = planOf(wasm);
  const controls = controlSet(ctx);
  const pretrain = pretrainBox(wasm, () => { v.shownKey = null; update(ctx.state); });
  const { form, fields, zooInfo } = settingsForm(controls, SETTINGS, { afterZoo: [pretrain.box] });
  fields.bn_stats.wrap.append(el('p', { class: 'field-help', 'data-help': 'bn_stats' }, t('transfer.bn_stats.help')));
  const v = { wasm, plan, section, ...quadrantsOutputs(wasm, plan), cells: [], costs: {}, shownKey: null };
  v.buttons = runButtons(() => v.cells, resetAll);
  section.append(...quadrantsLayout(ctx, v, form));
  // At most four times a second: twenty runs report at once, and the cores are the workers'.
  v.refresh = atMost(REFRESH_MS, () => refreshQuadrants(v));
  new ResizeObserver(() => v.refresh()).observe(v.grid);
  const zoo = zooUpdates(wasm, { controls, names: SETTINGS, parts: { zoo: fields.zoo, zooInfo, message: v.message, section }, pretrain });

  function resetAll() {
    for (const c of v.cells) c.run?.close();
    v.shownKey = null;
    update(ctx.state);
  }

  async function update(s) {
    const next = await zoo.begin(s, v.shownKey);
    if (!next) return;
    const list = quadrantCells(v, s, next.model);
    try {
      v.costs = Object.fromEntries(strategies(wasm).map((st) => [st, checkCell(wasm, list.find((c) => c.strategy === st).config)]));
    } catch (e) {
      if (namesSetting(e, s)) ctx.reject(e);
      else showMessage(section, v.message, 'error', errorText(e));
      return;
    }
    v.shownKey = next.key;
    for (const q of v.quadrants) { q.list.replaceChildren(); q.drawn = null; }
    // Cells never started are closed, not kept paused: each settings change would otherwise leave 20 more runs.
    for (const c of v.cells) if (c.run && unstarted(c.run)) c.run.close();
    const opened = showCells(ctx, list, `quadrants|${next.key}`);
    list.forEach((c, i) => { c.run = opened[i]; });
    followCells(v, list);
  }

  return { update, dispose: () => { zoo.dispose(); pretrain.dispose(); for (const c of v.cells) c.unsubscribe?.(); } };
}

// The view's outputs: the experiment's progress and message, one box per quadrant, the one legend, and the tables
// (per strategy, per cell, every curve point).
function quadrantsOutputs(wasm, plan) {
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
  const quadrants = plan.quadrants.map(quadrantBox);
  const grid = el('div', { class: 'quadrants', 'data-chart': 'transfer-curves' }, quadrants.map((q) => q.box));
  // One legend for the four charts: each strategy's colour (validation accuracy, mean over the repeats), dashed
  // where it starts from random weights; each quadrant's list repeats the swatches beside its numbers.
  const legend = el('p', { class: 'chart-legend', 'data-legend': 'transfer-curves' },
    el('span', {}, t('transfer.legend')),
    ...strategies(wasm).map((s) => el('span', { class: 'legend-item' }, swatch(wasm, s), t(`transfer.strategy.${s}`))));
  const rule = el('p', { class: 'field-help', 'data-rule': 'verdict' });
  const emptyNote = el('p', { class: 'empty-state', 'data-empty': 'transfer-curves' }, t('transfer.empty_chart'));
  return { progress, status, message, strategyTable, table, curveTable, quadrants, grid, legend, rule, emptyNote };
}

// Whether a strategy starts from random weights (from scratch, He or mean-var): its line is dashed, so pretrained
// against scratch reads at a glance.
const randomStart = (wasm, name) => {
  const st = strategyOf(planOf(wasm), name);
  return !st.pretrained || st.mean_var;
};

// A strategy's line as its legend draws it: its colour (the plan's order), dashed when it starts from random weights.
function swatch(wasm, name) {
  const color = wasm.run_colors()[strategies(wasm).indexOf(name)];
  const background = randomStart(wasm, name) ? `repeating-linear-gradient(90deg, ${color} 0 6px, transparent 6px 9px)` : color;
  return el('span', { class: 'swatch', 'aria-hidden': 'true', style: `background:${background}` });
}

// One box per quadrant, in the plan's order (small similar, small different, large similar, large different); the
// grid has two columns, so a row is a size and a column a similarity.
function quadrantBox(q) {
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
}

// The panel's children: title, the experiments' links, the form, and the outputs with the quadrants right after the
// run's progress, so an embedded view (www/js/shell/embedding.js) shows them first.
function quadrantsLayout(ctx, v, form) {
  const { wasm, plan, buttons } = v;
  const script = scriptButton(wasm, () => v.cells.map((c) => ({ kind: 'transfer', settings: c.config, part: c.id })), 'transfer-quadrants');
  return [
    ...viewHead(ctx, 'quadrants', t('transfer.title'), t('transfer.intro')),
    el('div', { class: 'panel-body' },
      form,
      el('div', { class: 'outputs' },
        el('div', { class: 'run-buttons' }, buttons.start, buttons.pause, buttons.reset, script),
        v.progress, v.status, v.message,
        v.legend, v.emptyNote, v.grid, v.rule, el('p', { class: 'field-help' }, t('transfer.quadrants.repeats_note')),
        el('p', { class: 'field-help' }, t('transfer.quadrants.how', { every: plan.quadrant_every })),
        v.strategyTable.table,
        v.table.table,
        el('details', { class: 'chart-data' }, el('summary', {}, t('table.show')), v.curveTable.table)))];
}

// One cell per (quadrant, strategy), each trained on its quadrant's target for its budget.
function quadrantCells(v, s, zooModel) {
  const { wasm, plan } = v;
  return plan.quadrants.flatMap((q, qi) => strategies(wasm).map((strategy) => ({
    id: `${q.size}_${q.sim}_${strategy}`, strategy, quadrant: v.quadrants[qi],
    config: cellConfig(wasm, s, zooModel, { strategy, data: q.data, steps: q.steps, every: plan.quadrant_every }),
  })));
}

// Shows the new cells in their quadrants' lists and redraws whenever one of their runs reports.
function followCells(v, list) {
  for (const c of v.cells) c.unsubscribe?.();
  v.cells = list;
  for (const c of list) {
    c.text = el('span', { class: 'status' });
    c.elem = el('li', { 'data-cell': c.id, 'data-run-state': 'idle' },
      swatch(v.wasm, c.strategy), t(`transfer.strategy.${c.strategy}`),
      c.strategy === c.quadrant.recommended ? el('strong', { class: 'recommended', title: t('transfer.recommended') }, ` ★ ${t('transfer.recommended')}`) : null,
      ': ', c.text);
    c.quadrant.list.append(c.elem);
    c.unsubscribe = c.run.subscribe(() => v.refresh());
  }
  v.refresh();
}

// A finished cell's final accuracies: their mean, spread and count, with the result; null while it runs.
function cellStats(c) {
  const result = c.run?.state === 'done' ? c.run.result : null;
  return result ? { ...meanStd(result.finals), result } : null;
}

// The whole view from its cells' runs.
function refreshQuadrants(v) {
  const { cells } = v;
  if (!cells.length) return; // nothing shown yet: the panel is still busy (aria-busy stays true)
  showRunState(v.section, v.buttons, cells.map((c) => stateOf(c.run)));
  showProgress(v);
  const rows = [];
  const curveRows = [];
  for (const q of v.quadrants) showQuadrant(v, q, rows, curveRows);
  v.table.setRows(rows);
  v.curveTable.setRows(curveRows);
  v.emptyNote.hidden = curveRows.length > 0;
  const n = cells.length && cells.every((c) => cellStats(c)) ? Math.min(...cells.map((c) => cellStats(c).n)) : 0;
  v.rule.textContent = n ? t(n > 1 ? 'transfer.rule.welch' : 'transfer.rule.one', { n, val: v.quadrants[0].val_size }) : '';
  showCosts(v);
}

// The experiment's progress bar and status line (steps done of all the cells' steps), and a failed cell's sentence.
function showProgress({ cells, progress, status, message }) {
  const work = cells.reduce((a, c) => {
    const w = c.run?.work;
    const total = c.config.repeats * c.config.steps;
    return { done: a.done + (c.run?.state === 'done' ? total : w?.done ?? 0), total: a.total + total };
  }, { done: 0, total: 0 });
  progress.value = work.total ? work.done / work.total : 0;
  const running = cells.filter((c) => c.run?.state === 'running').length;
  const finished = cells.filter((c) => c.run?.state === 'done').length;
  status.textContent = t('transfer.status', { done: finished, total: cells.length, running, steps: work.done, all: work.total });
  showRunError(message, cells.find((c) => c.run?.state === 'error')?.run);
}

// Values the core names by an id: the id itself on an English page (scripts and tests read it), the page's word for
// it on a Korean one (no English left in Korean mode).
const idWord = (key, value) => (lang() === 'en' || value === '—' ? value : t(`${key}.${value}`));
const named = (size, sim, strategy) => [idWord('transfer.size', size), idWord('transfer.similarity', sim), idWord('transfer.strategy', strategy)];

// One quadrant: its chart, each cell's line in its list, its verdict once every cell finished; its rows go to the
// cell table (rows, finished cells only) and the curve table (curveRows).
function showQuadrant(v, q, rows, curveRows) {
  const { wasm } = v;
  const mine = v.cells.filter((c) => c.quadrant === q);
  const stats = Object.fromEntries(mine.map((c) => [c.strategy, cellStats(c)]));
  const complete = mine.length && mine.every((c) => stats[c.strategy]);
  const verdict = complete ? verdictOf(wasm, q, mine.map((c) => [c.strategy, stats[c.strategy].result.finals])) : null;
  const series = mine.map((c) => ({ name: t(`transfer.strategy.${c.strategy}`), rows: meanCurve(runCurves(c.run)) }));
  // Redrawn only when its numbers or its size changed: four charts per frame would crowd the main thread.
  const drawn = `${series.map((x) => x.rows.length).join()}|${q.canvas.clientWidth}|${mine.map((c) => c.run?.state).join()}`;
  if (drawn !== q.drawn) { // empty axes before the first measurement
    drawValCurves(wasm, q.canvas, series, Math.max(...mine.map((c) => c.config.steps)), {
      legend: false, accuracy_only: true, dashed: mine.map((c) => (randomStart(wasm, c.strategy) ? 1 : 0)),
    });
    q.drawn = drawn;
  }
  for (const [i, c] of mine.entries()) {
    const st = stats[c.strategy];
    c.elem.dataset.runState = stateOf(c.run);
    c.text.textContent = st ? `${pct(st.mean)}\u00a0±\u00a0${pct(st.std)}` : c.run?.state === 'error' ? t('transfer.failed') : pct(series[i].rows.at(-1)?.val_acc);
    for (const r of series[i].rows) curveRows.push([...named(q.size, q.sim, c.strategy), String(r.step), plain(r.val_acc), plain(r.val_loss)]);
    if (st) {
      const against = verdict?.against.find((a) => a.strategy === c.strategy);
      rows.push([...named(q.size, q.sim, c.strategy), String(st.result.trainable), plain(st.mean), plain(st.std), String(st.n), String(st.result.steps),
        idWord('transfer.agrees', verdict?.agrees ?? '—'), idWord('transfer.outcome', against?.outcome ?? '—')]);
    }
  }
  q.verdict.replaceChildren(...(verdict ? verdictLines(q, verdict) : []));
  q.box.dataset.agrees = verdict?.agrees ?? '';
}

// Per strategy: its learning rate and steps, what it trains and what a step costs (measured once cells finish).
function showCosts({ wasm, plan, cells, costs, strategyTable }) {
  strategyTable.setRows(strategies(wasm).filter((s) => costs[s]).map((s) => {
    const done = cells.filter((c) => c.strategy === s && c.run?.state === 'done');
    const ms = done.length ? done.reduce((a, c) => a + c.run.result.msPerStep, 0) / done.length : NaN;
    const mine = cells.filter((c) => c.strategy === s);
    // The small quadrants train fewer steps than the large ones: every distinct budget, in the plan's order (50 / 100).
    const steps = [...new Set(mine.map((c) => c.config.steps))].join(' / ');
    return [lang() === 'en' ? s : t(`transfer.strategy.${s}`), plain(cellLr(plan, mine[0].config)), steps, String(costs[s].trainable), plain(costs[s].flops), Number.isFinite(ms) ? ms.toFixed(3) : '—'];
  }));
}

// The core's verdict on a quadrant (transfer_verdict): { agrees: 'yes' | 'no' | 'undecided', against: [{ strategy,
// outcome, diff, margin, df, … }] }, the advised strategy against from-scratch first. finals: [[strategy, accuracies]].
function verdictOf(wasm, q, finals) {
  return wasm.transfer_verdict(q.recommended, finals.map((f) => f[0]), finals.map((f) => Float64Array.from(f[1])), q.val_size);
}

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
