// Controls bound to URL parameters. Each control validates what a person types with the same table as the URL
// (state.js) and either writes the value to the state or shows the reason next to itself, keeping the last good
// value. The init-scheme controls are shared by every panel that draws weights, with the same names and meanings.

import { PARAMS, schemeUses } from './state.js';
import { t } from '../i18n/index.js';
import { el, field, select } from '../ui/dom.js';

export function controlSet(ctx) {
  const fields = {};

  // A field that holds a rejected text keeps showing it, with the reason, until the person corrects it or a
  // deliberate change (a preset, Reset, Back) sets that parameter; the value in effect stays the last good one.
  const bind = (name, f, normalize = (raw) => raw) => {
    let held = false;
    const field = {
      ...f,
      hold(text, message) {
        held = true;
        // A number input reports '' for text it cannot parse ('abc') while still showing it: leave that text alone.
        if (text !== '' && f.control.value !== text) f.control.value = text;
        f.setError(message);
      },
      clear() {
        held = false;
        f.setError('');
      },
      show(value) {
        if (held) return;
        if (document.activeElement !== f.control) f.control.value = String(value);
        f.setError('');
      },
    };
    const commit = (e) => {
      const text = e.target.value;
      const result = ctx.validate(name, normalize(text));
      if ('problem' in result) {
        field.hold(text, `${name}: ${t(`reason.${result.problem.key}`, result.problem.args)}`);
        return;
      }
      field.clear();
      if (ctx.state[name] !== result.value) ctx.set({ [name]: result.value }, { field: name, text });
      else f.control.value = String(result.value);
    };
    f.control.addEventListener('change', commit);
    ctx.registerField?.(name, field);
    return (fields[name] = field);
  };

  return {
    fields,
    enumField(name, labelKey, optionLabel = (v) => v) {
      return bind(name, field(labelKey, select(name, PARAMS[name].values.map((v) => [v, optionLabel(v)]))));
    },
    numberField(name, labelKey, step = 'any', helpKey) {
      const p = PARAMS[name];
      return bind(name, field(labelKey, el('input', { type: 'number', name, min: p.min, max: p.max, step, inputmode: 'decimal' }), helpKey));
    },
    textField(name, labelKey, helpKey, normalize) {
      return bind(name, field(labelKey, el('input', { type: 'text', name, spellcheck: 'false', autocomplete: 'off' }), helpKey), normalize);
    },
    // Shows the state in the controls, except in the one being edited and in those holding a rejected text.
    sync(state) {
      for (const [name, f] of Object.entries(fields)) f.show(state[name]);
    },
  };
}

// The controls of an initializer: scheme, fan mode, nonlinearity (gain), leaky slope, normal/truncated, std, a.
// show(state) hides those the current scheme does not use.
export function initControls(controls) {
  const scheme = controls.enumField('init', 'init.scheme', (v) => t(`init.name.${v}`)); // human names; the id stays in the URL
  const mode = controls.enumField('mode', 'init.mode');
  const nonlinearity = controls.enumField('nonlinearity', 'init.nonlinearity', (v) => (v === 'auto' ? t('init.nonlinearity.auto') : v));
  const slope = controls.numberField('slope', 'init.slope');
  const dist = controls.enumField('dist', 'init.dist', (v) => t(`init.dist.${v}`));
  const std = controls.numberField('std', 'init.std');
  const a = controls.numberField('a', 'init.a');
  return {
    wraps: [scheme.wrap, mode.wrap, nonlinearity.wrap, slope.wrap, dist.wrap, std.wrap, a.wrap],
    show(s) {
      const uses = (param) => schemeUses(s.init, param); // the core says which parameters each scheme reads
      const usesGain = uses('nonlinearity');
      const isNormal = uses('dist');
      mode.wrap.hidden = !uses('mode');
      nonlinearity.wrap.hidden = !usesGain;
      slope.wrap.hidden = !usesGain || s.nonlinearity !== 'leaky_relu';
      dist.wrap.hidden = !isNormal;
      std.wrap.hidden = !uses('std');
      a.wrap.hidden = !uses('a');
      return { isNormal };
    },
  };
}
