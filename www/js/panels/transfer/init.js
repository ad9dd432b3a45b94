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
  cellConfig, cellLr, checkCell, costText, drawValCurves, layerChangePart, namesSetting, pct, planOf, points, pretrainBox, runButtons,
  runCurves, settingsForm, showCells, showRunState, stateOf, viewHead, zooUpdates, REFRESH_MS,
} from './shared.js';

export const SETTINGS = ['zoo', 'size', 'similarity', 'ft_lr', 'repeats', 'budget', 'seed'];
// The arms: their column in the table and the strategy each trains. The fourth, random init with a GroupNorm after
// each conv (the plan's target_model_gn), runs with the longer schedule only: He et al. 2018's setting.
export const ARMS = [['pretrained', 'finetune'], ['random', 'scratch'], ['mean_var', 'mean_var'], ['random_gn', 'scratch']];
const GN_ARM = 3;

// The view's state lives in one object (v): its parts, its arms (each with its run once opened), the key of the
// settings shown and their target quadrant.
export function initView(section, ctx) {
  const { wasm } = ctx;
  const plan = planOf(wasm);
  const controls = controlSet(ctx);
  const pretrain = pretrainBox(wasm, () => { v.shownKey = null; update(ctx.state); });
  const { form, fields, zooInfo } = settingsForm(controls, SETTINGS, { afterZoo: [pretrain.box] });
  const v = { wasm, plan, section, ...initOutputs(), arms: [], shownKey: null, shownQuadrant: null };
  v.buttons = runButtons(() => v.arms, resetAll);
  section.append(...initLayout(ctx, v, form));
  v.arms = ARMS.map(([id, strategy]) => armRow(v.runList, id, strategy));
  v.refresh = atMost(REFRESH_MS, () => refreshInit(v));
  new ResizeObserver(() => v.refresh()).observe(v.curves);
  const zoo = zooUpdates(wasm, { controls, names: SETTINGS, parts: { zoo: fields.zoo, zooInfo, message: v.message, section }, pretrain });

  function resetAll() {
    for (const a of v.arms) { a.run?.close(); a.run = null; }
    v.shownKey = null;
    update(ctx.state);
  }

  async function update(s) {
    const next = await zoo.begin(s, v.shownKey);
    if (!next) return;
    const q = showTarget(v, s);
    const live = v.arms.filter((a) => a.active);
    const configs = armConfigs(v, s, next.model, q, live);
    live.forEach((a, i) => { a.lr.textContent = t('transfer.init.lr', { lr: plain(cellLr(plan, configs[i])) }); });
    try {
      live.forEach((a, i) => { a.cost = checkCell(wasm, configs[i]); });
    } catch (e) {
      if (namesSetting(e, s)) ctx.reject(e);
      else v.message.textContent = errorText(e);
      return;
    }
    v.shownKey = next.key;
    followArms(v, live, showCells(ctx, live.map((a, i) => ({ id: `init_${a.id}`, config: configs[i] })), `init|${next.key}`));
  }

  return { update, dispose: () => { zoo.dispose(); pretrain.dispose(); for (const a of v.arms) a.unsubscribe(); } };
}

// The view's outputs: the message and verdict, the curves with their table, the arms' list, the layer change.
function initOutputs() {
  return {
    message: el('p', { class: 'field-error', role: 'alert', 'data-message': '' }),
    target: el('p', { class: 'field-help' }),
    verdict: el('p', { class: 'summary', 'data-summary': 'init' }),
    curves: el('canvas', { 'data-chart': 'transfer-init', role: 'img', 'aria-label': t('transfer.init.curves') }),
    emptyNote: el('p', { class: 'empty-state', 'data-empty': 'transfer-init' }, t('transfer.empty_chart')),
    table: dataTable('transfer-init', 'transfer.init.table', [['step', 'train.col.step'], ...ARMS.map(([col]) => [col, `transfer.arm.${col}`])]),
    change: layerChangePart(),
    runList: el('div', { class: 'compare-runs' }),
    gnNote: el('p', { class: 'field-help', 'data-note': 'gn' }, t('transfer.init.gn_hint')),
  };
}

// The panel's children: title, the experiments' links, the form, the outputs and the published results in words.
function initLayout(ctx, v, form) {
  const { wasm, buttons } = v;
  const script = scriptButton(wasm, () => v.arms.filter((a) => a.run).map((a) => ({ kind: 'transfer', settings: a.run.config, part: a.id })), 'transfer-init');
  return [
    ...viewHead(ctx, 'init', t('transfer.experiment.init'), t('transfer.init.intro')),
    el('div', { class: 'panel-body' },
      form,
      el('div', { class: 'outputs' },
        el('div', { class: 'run-buttons' }, buttons.start, buttons.pause, buttons.reset, script),
        v.message, v.verdict,
        el('figure', { class: 'chart' }, v.emptyNote, v.curves, el('figcaption', {}, t('transfer.init.curves'), ' ', t('transfer.every', { n: v.plan.eval_every }))),
        v.runList, v.gnNote, el('p', { class: 'field-help' }, t('transfer.init.lr_reason')), v.target,
        el('details', { class: 'chart-data' }, el('summary', {}, t('table.show')), v.table.table),
        v.change.figure,
        v.change.table,
        el('h3', {}, t('transfer.published')),
        el('p', { class: 'published', 'data-published': 'lecture' }, t('transfer.init.lecture')),
        el('p', { class: 'published', 'data-published': 'raghu2019' }, t('transfer.published.raghu2019')),
        el('p', { class: 'published', 'data-published': 'he2018' }, t('transfer.published.he2018')),
        el('p', { class: 'published', 'data-published': 'he2018-small' }, t('transfer.init.he_small'))))];
}

// One arm's line in the list: its name, learning rate, progress and status (cost, or its error).
function armRow(runList, id, strategy) {
  const progress = el('progress', { max: 1, value: 0, 'aria-label': t(`transfer.arm.${id}`) });
  const text = el('span', { class: 'status' });
  const lr = el('span', { class: 'arm-lr', 'data-lr': id });
  const elem = el('div', { class: 'compare-run', 'data-run': id, 'data-run-state': 'idle' }, el('strong', {}, t(`transfer.arm.${id}`)), ' ', lr, ' ', progress, text);
  runList.append(elem);
  return { id, strategy, elem, progress, lr, text, run: null, active: true, unsubscribe: () => {} };
}

// The settings' target quadrant in words, and the GroupNorm arm shown with the longer schedule only (else its hint).
function showTarget(v, s) {
  const q = v.plan.quadrants.find((x) => x.size === s.size && x.sim === s.similarity);
  v.shownQuadrant = q;
  v.target.textContent = t('transfer.init.target', { quadrant: t(`transfer.quadrant.${q.size}_${q.sim}`), about: t(q.words) });
  const long = s.budget === 'long';
  const gn = v.arms[GN_ARM];
  gn.active = long;
  gn.elem.hidden = !long;
  v.gnNote.hidden = long;
  return q;
}

// Each live arm's cell: the target's data for the budget's steps; the pretrained arm measures its layer change, the
// GroupNorm arm trains the plan's GroupNorm model.
function armConfigs({ wasm, plan }, s, zooModel, q, live) {
  const long = s.budget === 'long';
  const gnModel = plan.models.find((m) => m.name === s.zoo)?.target_model_gn;
  return live.map((a) => cellConfig(wasm, s, zooModel, {
    strategy: a.strategy, data: q.data, steps: long ? plan.init_view.long_steps : plan.init_view.steps, layerChange: a.id === 'pretrained',
    model: a.id === 'random_gn' ? gnModel : null,
  }));
}

// The live arms follow their newly opened runs (the others none) and redraw the view whenever one reports.
function followArms(v, live, opened) {
  for (const a of v.arms) { a.unsubscribe(); a.unsubscribe = () => {}; a.run = null; }
  live.forEach((a, i) => {
    a.run = opened[i];
    a.unsubscribe = a.run.subscribe(() => v.refresh());
  });
  v.refresh();
}

// The whole view from its arms' runs: their lines, the mean curves (chart and table), the layer change, the verdict.
function refreshInit(v) {
  const { wasm, arms } = v;
  if (!arms[0].run) return; // nothing shown yet: the panel is still busy (aria-busy stays true)
  const live = arms.filter((a) => a.active);
  const states = live.map((a) => stateOf(a.run));
  showRunState(v.section, v.buttons, states);
  const means = arms.map((a) => meanCurve(runCurves(a.run)));
  for (const a of live) {
    a.elem.dataset.runState = stateOf(a.run);
    const w = a.run?.work;
    if (w) a.progress.value = w.total ? w.done / w.total : 0;
    if (a.run?.state === 'done') a.progress.value = 1;
    a.text.textContent = a.run?.error ? errorText(a.run.error) : a.cost ? costText(a.cost, a.run?.result?.msPerStep) : '';
  }
  const steps = [...new Set(means.flatMap((m) => m.map((r) => r.step)))].sort((x, y) => x - y);
  v.table.setRows(steps.map((step) => [String(step), ...means.map((m) => {
    const r = m.find((p) => p.step === step);
    return r ? plain(r.val_acc) : '—';
  })]));
  v.emptyNote.hidden = steps.length > 0;
  drawValCurves(wasm, v.curves, live.map((a) => ({ name: t(`transfer.arm.${a.id}`), rows: means[arms.indexOf(a)] })), Math.max(0, ...live.map((a) => a.run?.config.steps ?? 0)));
  const change = arms[0].run?.state === 'done' ? arms[0].run.result.layerChange : null;
  v.change.show(change ?? []);
  v.verdict.textContent = states.every((s) => s === 'done') ? verdictText(v, means) : '';
}

// Final accuracies compared by the core's rule, and the speed: the first measured step at which each arm's mean
// curve reaches 90 % of the best arm's final mean (verdict_steps_to_reach).
function verdictText({ wasm, arms, shownQuadrant }, means) {
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
