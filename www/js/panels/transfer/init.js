// The init view (experiment=init): on one target (size, similarity), the same network trained from the zoo's
// weights (fine-tuning everything), from a random He draw, and from a mean-var draw (each tensor i.i.d. from the
// mean and spread of its pretrained values), validation accuracy against steps, mean over the repeats; budget=long runs
// the plan's longer schedule, where random init may catch up. The published results (Raghu et al. 2019; He et al.
// 2018) are described in words with their source, never drawn as our data, beside what the lecture note says. Every
// arm shows its learning rate; the verdict (the core's rule: Welch's t at 95 %, floored by the validation set's
// binomial error) compares the final accuracies, and the steps each arm needs to reach 90 % of the best final
// accuracy show the speed Raghu et al. write about. After fine-tuning, each layer's relative weight change
// (Transfusion: the lower layers change little).

import { t } from '../../i18n/index.js';
import { scriptButton } from '../../ui/script-download.js';
import { controlSet } from '../../url/controls.js';
import { atMost, dataTable, el, plain } from '../../ui/dom.js';
import { errorText } from '../../compute/runs.js';
import { meanCurve, meanStd } from './lessons.js';
import {
  cellConfig, cellLr, checkCell, costText, drawLayerChange, drawValCurves, showZoo, overallState, pct, planOf, showCells, stateOf, viewLinks,
  REFRESH_MS, pretrainBox,
} from './shared.js';
import { zooVersion } from '../../compute/zoo.js';

export const SETTINGS = ['zoo', 'size', 'similarity', 'ft_lr', 'repeats', 'budget', 'seed'];
// The arms: their column in the table and the strategy each trains. The fourth, random init with a GroupNorm after
// each conv (the plan's target_model_gn), runs with the longer schedule only: He et al. 2018's setting.
export const ARMS = [['pretrained', 'finetune'], ['random', 'scratch'], ['mean_var', 'mean_var'], ['random_gn', 'scratch']];
const GN_ARM = 3;

const points = (x) => `${x >= 0 ? '+' : '−'}${(100 * Math.abs(x)).toFixed(1)}`;

export function initView(section, ctx) {
  const { wasm } = ctx;
  const plan = planOf(wasm);
  const controls = controlSet(ctx);
  const zoo = controls.enumField('zoo', 'transfer.zoo', (v) => t(`transfer.zoo.${v}`));
  const size = controls.enumField('size', 'transfer.size', (v) => t(`transfer.size.${v}`));
  const similarity = controls.enumField('similarity', 'transfer.similarity', (v) => t(`transfer.similarity.${v}`));
  const ftLr = controls.numberField('ft_lr', 'transfer.ft_lr', 'any', 'transfer.ft_lr.help');
  const repeats = controls.numberField('repeats', 'transfer.repeats', 1, 'transfer.repeats.help');
  const budget = controls.enumField('budget', 'transfer.budget', (v) => t(`transfer.budget.${v}`));
  const seed = controls.numberField('seed', 'init.seed', 1);
  const zooInfo = el('p', { class: 'field-help', 'data-zoo-info': '' });
  const pretrain = pretrainBox(wasm, () => { shownKey = null; update(ctx.state); });
  const form = el('form', { class: 'controls', onsubmit: (e) => e.preventDefault() },
    zoo.wrap, zooInfo, pretrain.box, size.wrap, similarity.wrap, ftLr.wrap, repeats.wrap, budget.wrap, seed.wrap);

  const buttons = {
    start: el('button', { type: 'button', 'data-action': 'start', onclick: () => arms.forEach((a) => a.run?.resume()) }, t('transfer.action.start')),
    pause: el('button', { type: 'button', 'data-action': 'pause', onclick: () => arms.forEach((a) => a.run?.pause()) }, t('train.action.pause')),
    reset: el('button', { type: 'button', 'data-action': 'reset-run', onclick: resetAll }, t('train.action.reset-run')),
  };
  const message = el('p', { class: 'field-error', role: 'alert', 'data-message': '' });
  const target = el('p', { class: 'field-help' });
  const verdict = el('p', { class: 'summary', 'data-summary': 'init' });
  const curves = el('canvas', { 'data-chart': 'transfer-init', role: 'img', 'aria-label': t('transfer.init.curves') });
  const emptyNote = el('p', { class: 'empty-state', 'data-empty': 'transfer-init' }, t('transfer.empty_chart'));
  const table = dataTable('transfer-init', 'transfer.init.table', [['step', 'train.col.step'],
    ...ARMS.map(([col]) => [col, `transfer.arm.${col}`])]);
  const changeCanvas = el('canvas', { 'data-chart': 'transfer-layer-change', role: 'img', 'aria-label': t('transfer.layer_change') });
  const changeTable = dataTable('transfer-layer-change', 'transfer.layer_change.table', [['layer', 'transfer.col.layer'], ['rel_change', 'transfer.col.rel_change']]);
  const runList = el('div', { class: 'compare-runs' });
  const gnNote = el('p', { class: 'field-help', 'data-note': 'gn' }, t('transfer.init.gn_hint'));

  section.append(
    el('h2', {}, t('transfer.experiment.init')),
    el('p', { class: 'intro' }, t('transfer.init.intro')),
    viewLinks(ctx, 'init'),
    el('div', { class: 'panel-body' },
      form,
      el('div', { class: 'outputs' },
        el('div', { class: 'run-buttons' }, buttons.start, buttons.pause, buttons.reset, scriptButton(wasm, () => arms.filter((a) => a.run).map((a) => ({ kind: 'transfer', settings: a.run.config, part: a.id })), 'transfer-init')),
        message, verdict,
        el('figure', { class: 'chart' }, emptyNote, curves, el('figcaption', {}, t('transfer.init.curves'), ' ', t('transfer.every', { n: plan.eval_every }))),
        runList, gnNote, el('p', { class: 'field-help' }, t('transfer.init.lr_reason')), target,
        el('details', { class: 'chart-data' }, el('summary', {}, t('table.show')), table.table),
        el('figure', { class: 'chart' }, changeCanvas, el('figcaption', {}, t('transfer.layer_change'))),
        changeTable.table,
        el('h3', {}, t('transfer.published')),
        el('p', { class: 'published', 'data-published': 'lecture' }, t('transfer.init.lecture')),
        el('p', { class: 'published', 'data-published': 'raghu2019' }, t('transfer.published.raghu2019')),
        el('p', { class: 'published', 'data-published': 'he2018' }, t('transfer.published.he2018')),
        el('p', { class: 'published', 'data-published': 'he2018-small' }, t('transfer.init.he_small')))));

  const arms = ARMS.map(([id, strategy]) => {
    const progress = el('progress', { max: 1, value: 0, 'aria-label': t(`transfer.arm.${id}`) });
    const text = el('span', { class: 'status' });
    const lr = el('span', { class: 'arm-lr', 'data-lr': id });
    const elem = el('div', { class: 'compare-run', 'data-run': id, 'data-run-state': 'idle' }, el('strong', {}, t(`transfer.arm.${id}`)), ' ', lr, ' ', progress, text);
    runList.append(elem);
    return { id, strategy, elem, progress, lr, text, run: null, active: true, unsubscribe: () => {} };
  });

  const curvesOf = (a) => {
    if (a.run?.state === 'done') return a.run.result.curves;
    const byRepeat = [];
    for (const p of a.run?.items ?? []) (byRepeat[p.repeat] ??= []).push(p);
    return byRepeat.filter(Boolean);
  };

  const refresh = atMost(REFRESH_MS, () => {
    if (!arms[0].run) return; // nothing shown yet: the panel is still busy (aria-busy stays true)
    const live = arms.filter((a) => a.active);
    const states = live.map((a) => stateOf(a.run));
    section.dataset.runState = overallState(states);
    section.setAttribute('aria-busy', 'false');
    buttons.start.disabled = !states.some((s) => s === 'idle' || s === 'paused');
    buttons.pause.disabled = !states.includes('running');
    const means = arms.map((a) => meanCurve(curvesOf(a)));
    for (const a of live) {
      a.elem.dataset.runState = stateOf(a.run);
      const w = a.run?.work;
      if (w) a.progress.value = w.total ? w.done / w.total : 0;
      if (a.run?.state === 'done') a.progress.value = 1;
      a.text.textContent = a.run?.error ? errorText(a.run.error) : a.cost ? costText(a.cost, a.run?.result?.msPerStep) : '';
    }
    const steps = [...new Set(means.flatMap((m) => m.map((r) => r.step)))].sort((x, y) => x - y);
    table.setRows(steps.map((step) => [String(step), ...means.map((m) => {
      const r = m.find((p) => p.step === step);
      return r ? plain(r.val_acc) : '—';
    })]));
    emptyNote.hidden = steps.length > 0;
    drawValCurves(wasm, curves, live.map((a) => ({ name: t(`transfer.arm.${a.id}`), rows: means[arms.indexOf(a)] })), Math.max(0, ...live.map((a) => a.run?.config.steps ?? 0)));
    const change = arms[0].run?.state === 'done' ? arms[0].run.result.layerChange : null;
    changeTable.setRows((change ?? []).map((r) => [r.name, plain(r.rel_change)]));
    drawLayerChange(changeCanvas, change ?? []);
    verdict.textContent = states.every((s) => s === 'done') ? verdictText(means) : '';
  });
  new ResizeObserver(() => refresh()).observe(curves);

  // Final accuracies compared by the core's rule, and the speed: the first measured step at which each arm's mean
  // curve reaches 90 % of the best arm's final mean (verdict_steps_to_reach).
  function verdictText(means) {
    const finals = arms.map((a) => a.run?.result?.finals ?? []);
    const stats = finals.map(meanStd);
    const val = shownQuadrant.val_size;
    const cmp = (i, j) => wasm.verdict_compare(Float64Array.from(finals[i]), Float64Array.from(finals[j]), val);
    const said = (v) => t(`transfer.outcome.${v.outcome}`);
    const best = Math.max(...stats.filter((x) => x.n).map((x) => x.mean));
    const reach = means.map((m) => m.length && wasm.verdict_steps_to_reach(Float64Array.from(m, (r) => r.step), Float64Array.from(m, (r) => r.val_acc), 0.9, best));
    const steps = (x) => (x === undefined ? t('transfer.init.not_reached') : String(x));
    const [vr, vm] = [cmp(0, 1), cmp(0, 2)];
    // He et al. 2018's setting: random init with GroupNorm, the longer schedule, against pretrained; the words for
    // "caught up" are the outcome's (better / within / worse by the core's rule).
    const gn = arms[GN_ARM].active ? cmp(GN_ARM, 0) : null;
    const gnText = gn ? ` ${t(`transfer.init.gn.${gn.outcome}`, {
      steps: arms[GN_ARM].run.result.steps, gn: pct(stats[GN_ARM].mean), pretrained: pct(stats[0].mean), diff: points(gn.diff),
      margin: (100 * gn.margin).toFixed(1), reach: steps(reach[GN_ARM]),
    })}` : '';
    return t('transfer.init.judge', {
      steps: arms[0].run.result.steps, n: stats[0].n, pretrained: pct(stats[0].mean), random: pct(stats[1].mean), mean_var: pct(stats[2].mean),
      vs_random: t('transfer.init.diff', { diff: points(vr.diff), outcome: said(vr) }),
      vs_mean_var: t('transfer.init.diff', { diff: points(vm.diff), outcome: said(vm) }), margin: (100 * Math.max(vr.margin, vm.margin)).toFixed(1),
      level: pct(0.9 * best), reach_pretrained: steps(reach[0]), reach_random: steps(reach[1]), reach_mean_var: steps(reach[2]),
    }) + gnText;
  }

  function resetAll() {
    for (const a of arms) { a.run?.close(); a.run = null; }
    shownKey = null;
    update(ctx.state);
  }

  let shownKey = null;
  let shownQuadrant = null;
  let token = 0;
  async function update(s) {
    controls.sync(s);
    const key = `${SETTINGS.map((n) => s[n]).join('|')}|${zooVersion(s.zoo)}`;
    if (key === shownKey) return;
    const mine = ++token;
    const zooModel = await showZoo(wasm, s.zoo, { zoo, zooInfo, message, section }, () => mine === token);
    if (!zooModel) return;
    pretrain.show(zooModel.entry);
    const q = plan.quadrants.find((x) => x.size === s.size && x.sim === s.similarity);
    shownQuadrant = q;
    target.textContent = t('transfer.init.target', { quadrant: t(`transfer.quadrant.${q.size}_${q.sim}`), about: t(q.words) });
    const long = s.budget === 'long';
    arms[GN_ARM].active = long;
    arms[GN_ARM].elem.hidden = !long;
    gnNote.hidden = long;
    const gnModel = plan.models.find((m) => m.name === s.zoo)?.target_model_gn;
    const live = arms.filter((a) => a.active);
    const configs = live.map((a) => cellConfig(wasm, s, zooModel, {
      strategy: a.strategy, data: q.data, steps: long ? plan.init_view.long_steps : plan.init_view.steps, layerChange: a.id === 'pretrained',
      model: a.id === 'random_gn' ? gnModel : null,
    }));
    live.forEach((a, i) => { a.lr.textContent = t('transfer.init.lr', { lr: plain(cellLr(plan, configs[i])) }); });
    try {
      live.forEach((a, i) => { a.cost = checkCell(wasm, configs[i]); });
    } catch (e) {
      if (e?.param && e.param in s) ctx.reject(e);
      else message.textContent = errorText(e);
      return;
    }
    shownKey = key;
    const opened = showCells(ctx, live.map((a, i) => ({ id: `init_${a.id}`, config: configs[i] })), `init|${key}`);
    for (const a of arms) { a.unsubscribe(); a.unsubscribe = () => {}; a.run = null; }
    live.forEach((a, i) => {
      a.run = opened[i];
      a.unsubscribe = a.run.subscribe(() => refresh());
    });
    refresh();
  }

  return { update, dispose: () => { token++; pretrain.dispose(); for (const a of arms) a.unsubscribe(); } };
}
