// The Train panel's comparisons (view=overfit, view=label_trap): the same settings trained as two runs that differ
// in one thing, side by side in the workers, their curves overlaid on one chart and the difference stated in
// numbers. Each run is a run of its own in the registry (owner train-compare-ARM), so a language switch finds both
// again; each run's element carries its own data-run-state.

import { t } from '../i18n.js';
import { controlSet } from '../controls.js';
import { dataTable, el, perFrame, plain } from '../ui.js';
import { errorText, runs, speedText } from '../runs.js';
import { COMPARISONS, LEARNED_ACC, layerSpreads, sixNine } from './train.lessons.js';
import { pausedRuns, unstarted } from './train-paused.js';
import { SETTINGS, TARGET_ACC, checkSettings, measuring, curveColumns, curveFacts, curveRows, digits, drawCurves, rowCells, runConfig, settingsKey } from './train.js';

const pct = (x) => `${(100 * x).toFixed(1)} %`;

export function compareView(section, ctx, name) {
  const { wasm } = ctx;
  const comparison = COMPARISONS[name];
  const controls = controlSet(ctx);
  const data = controls.enumField('data', 'train.data', (v) => t(`train.data.${v}`));
  const perClass = controls.numberField('per_class', 'train.per_class', 1, 'train.per_class.help');
  const epochs = controls.numberField('epochs', 'train.epochs', 1);
  const bs = controls.numberField('bs', 'train.bs', 1);
  const lr = controls.numberField('lr', 'train.lr');
  const seed = controls.numberField('seed', 'init.seed', 1);
  const aug = name === 'overfit' ? controls.textField('aug', 'train.aug', 'train.compare.aug.help') : null;
  const armName = (arm) => (arm.act ? `${t(`train.run.${arm.init}`)} · ${arm.act}` : t(`train.run.${arm.id}`));
  const form = el('form', { class: 'controls', onsubmit: (e) => e.preventDefault() },
    data.wrap, perClass.wrap, aug?.wrap, epochs.wrap, bs.wrap, lr.wrap, seed.wrap,
    el('p', { class: 'field-help' }, t('train.compare.rest')));

  const buttons = {
    start: el('button', { type: 'button', 'data-action': 'start', onclick: () => arms.forEach((a) => a.run?.resume()) }, t('train.action.start_all')),
    pause: el('button', { type: 'button', 'data-action': 'pause', onclick: () => arms.forEach((a) => a.run?.pause()) }, t('train.action.pause')),
    reset: el('button', { type: 'button', 'data-action': 'reset-run', onclick: resetAll }, t('train.action.reset-run')),
  };
  const status = el('div', { class: 'compare-runs' });
  const message = el('p', { class: 'field-error', role: 'alert' });
  const verdict = el('p', { class: 'summary', 'data-summary': 'compare' });
  const curves = el('canvas', { 'data-chart': 'train-curves', role: 'img', 'aria-label': t('train.curves') });
  const curveTable = dataTable('train-curves', 'train.curves.table', curveColumns(true));
  const factColumns = [['run', 'train.col.run'], ['final_gap', 'train.col.final_gap'], ['best_val_acc', 'train.col.best_val_acc'],
    ['steps_to_target', 'train.col.steps_to_target'], ...(name === 'label_trap' ? [['six_nine', 'train.col.six_nine']] : [])];
  const factTable = dataTable('train-compare', 'train.compare.table', factColumns);
  // The race's step-0 signal: each layer's output spread for the shown example, per run (read from step 0).
  const spreadTable = name === 'init_race'
    ? dataTable('train-init-stats', 'train.compare.init_race.stats', [['layer', 'train.col.layer'], ...comparison.arms.map((a) => [a.id, 'train.col.run'])])
    : null;
  const paused = pausedRuns(ctx, SETTINGS, () => arms.map((a) => a.run).filter(Boolean));
  const singleLink = el('a', { href: '#', 'data-view': 'single', onclick: (e) => { e.preventDefault(); ctx.set({ view: 'single' }); } }, t('train.view.single'));

  section.append(
    el('h2', {}, t(`train.view.${name}`)),
    el('p', { class: 'intro' }, t(`train.compare.${name}.intro`)),
    name === 'init_race' ? el('p', { class: 'field-help' }, el('code', {}, comparison.arms[0].patch({}).model)) : '', // append() would write null
    el('p', { class: 'presets' }, singleLink),
    el('div', { class: 'panel-body' },
      form,
      el('div', { class: 'outputs' },
        el('div', { class: 'run-buttons' }, buttons.start, buttons.pause, buttons.reset),
        status, message, verdict, paused.wrap,
        el('figure', { class: 'chart' }, curves, el('figcaption', {}, t('train.compare.curves'), ' ', t('train.every', { n: measuring(wasm).every, m: measuring(wasm).measure_n }))),
        factTable.table,
        spreadTable?.table ?? null,
        el('details', { class: 'chart-data' }, el('summary', {}, t('table.show')), curveTable.table))));

  // One arm per run: its element (with its own data-run-state), its run and its rows.
  const arms = comparison.arms.map((arm) => {
    const progress = el('progress', { max: 1, value: 0, 'aria-label': armName(arm) });
    const text = el('span', { class: 'status' });
    const elem = el('div', { class: 'compare-run', 'data-run': arm.id, 'data-run-state': 'idle' },
      el('strong', {}, armName(arm)), ' ', el('code', { class: 'arm-aug' }), progress, text);
    status.append(elem);
    return { ...arm, elem, progress, text, run: null, rows: [], unsubscribe: () => {} };
  });

  const draw = perFrame(() => {
    if (arms.some((a) => a.rows.length)) drawCurves(wasm, curves, arms.map((a) => ({ name: armName(a), rows: a.rows })), Math.max(0, ...arms.map((a) => a.total ?? 0)));
  });
  new ResizeObserver(() => draw()).observe(curves);

  const stateOf = (r) => {
    if (r.state === 'paused') return r.steps === 0 ? 'idle' : 'paused';
    if (r.state === 'done') return r.result?.diverged ? 'diverged' : 'done';
    return r.state;
  };

  function refresh() {
    const states = arms.map((a) => (a.run ? stateOf(a.run) : 'idle'));
    for (const [i, a] of arms.entries()) {
      a.elem.dataset.runState = states[i];
      if (a.run?.work) a.progress.value = a.run.work.total ? a.run.work.done / a.run.work.total : 0;
      a.text.textContent = a.run?.result?.diverged ? t('train.diverged', a.run.result.diverged) : a.run?.error ? errorText(a.run.error) : speedText(a.run ?? {});
    }
    // The section's state: running while any run runs; done once all are done; else the most telling state.
    const overall = ['error', 'running', 'diverged', 'paused', 'idle'].find((s) => states.includes(s)) ?? 'done';
    section.dataset.runState = overall;
    section.setAttribute('aria-busy', 'false');
    buttons.start.disabled = !states.some((s) => s === 'idle' || s === 'paused');
    buttons.pause.disabled = !states.includes('running');
    curveTable.setRows(arms.flatMap((a) => a.rows.map((r) => [a.id, ...rowCells(r)])));
    const facts = arms.map((a) => ({ arm: a, f: curveFacts(a.rows) }));
    factTable.setRows(facts.filter((x) => x.f).map(({ arm, f }) => [arm.id, plain(f.gap), plain(f.best), f.toTarget === null ? '—' : String(f.toTarget),
      ...(name === 'label_trap' ? [arm.run?.state === 'done' && !arm.run.result.diverged ? String(sixNine(arm.run.result)) : '—'] : [])]));
    verdict.textContent = overall === 'done' ? verdictText(facts) : '';
    if (spreadTable) fillSpreads();
    draw();
  }

  function fillSpreads() {
    const heads = spreadTable.table.tHead.rows[0].cells;
    arms.forEach((a, i) => { heads[i + 1].textContent = armName(a); heads[i + 1].removeAttribute('data-i18n'); });
    const first = arms.map((a) => a.run?.items.find((p) => p.before) ?? (a.run?.result?.before ? a.run.result : null));
    const info = first.find(Boolean)?.info;
    if (!info) { spreadTable.setRows([]); return; }
    const spreads = first.map((p) => (p ? layerSpreads(p.before.maps) : null));
    spreadTable.setRows(info.layers.map((layer, l) => [`${l}: ${layer.layer}`, ...spreads.map((s) => (s ? s[l].toExponential(2) : '—'))]));
  }

  function verdictText(facts) {
    if (name === 'init_race') {
      const learned = facts.filter((x) => x.f && x.f.best >= LEARNED_ACC).map((x) => armName(x.arm));
      const failed = facts.filter((x) => x.f && x.f.best < LEARNED_ACC).map((x) => armName(x.arm));
      return t('train.compare.init_race.verdict', { learned: learned.join(', ') || '—', failed: failed.join(', ') || '—', acc: pct(LEARNED_ACC) });
    }
    const [a, b] = facts;
    if (!a.f || !b.f) return '';
    if (name === 'overfit') {
      return t('train.compare.overfit.verdict', { gap_a: (100 * a.f.gap).toFixed(1), gap_b: (100 * b.f.gap).toFixed(1), best_a: pct(a.f.best), best_b: pct(b.f.best), target: pct(TARGET_ACC) });
    }
    const [sa, sb] = [a.arm.run.result, b.arm.run.result].map((r) => (r && !r.diverged ? sixNine(r) : null));
    return t('train.compare.label_trap.verdict', { a: sa ?? '—', b: sb ?? '—', best_a: pct(a.f.best), best_b: pct(b.f.best) });
  }

  function follow(arm, r) {
    arm.unsubscribe();
    arm.run = r;
    arm.rows = curveRows(r.items);
    arm.total = r.items.find((p) => p.info)?.info.total ?? r.result?.info?.total;
    // The no-augmentation arm's name already says it; other arms name their pipeline, or its absence.
    arm.elem.querySelector('.arm-aug').textContent = r.config.aug !== '' ? `aug=${r.config.aug}` : arm.id === 'no_aug' ? '' : t('train.compare.no_aug');
    arm.unsubscribe = r.subscribe((_, event) => {
      if (event.type === 'progress') {
        arm.rows.push(...curveRows(event.items));
        arm.total ??= event.items.find((p) => p.info)?.info.total;
      }
      if (event.type === 'done' && r.result?.diverged) arm.rows.push(...curveRows([r.result]));
      refresh();
    });
  }

  function resetAll() {
    for (const a of arms) { a.run?.close(); a.run = null; }
    shownKey = null;
    update(ctx.state);
  }

  let shownKey = null;
  let token = 0;
  async function update(s) {
    controls.sync(s);
    const key = settingsKey(s);
    if (key === shownKey) return;
    const mine = ++token;
    const bytes = await digits();
    if (mine !== token) return;
    try {
      for (const arm of arms) checkSettings(wasm, { ...s, ...arm.patch(s) }, bytes);
    } catch (e) {
      if (e?.param && e.param in s) ctx.reject(e);
      else message.textContent = errorText(e);
      return;
    }
    message.textContent = '';
    shownKey = key;
    for (const arm of arms) {
      const armSettings = { ...s, ...arm.patch(s) };
      const owner = ctx.owner(`train-compare-${arm.id}`);
      const armKey = `${name}|${settingsKey(armSettings)}`;
      const old = runs.current(owner);
      if (old && old.key !== armKey && unstarted(old)) old.close();
      follow(arm, runs.show(owner, 'train', armKey, runConfig(armSettings, bytes), { paused: true, settings: s }));
    }
    refresh();
    paused.refresh();
  }

  return { update, dispose: () => { token++; for (const a of arms) a.unsubscribe(); paused.dispose(); } };
}
