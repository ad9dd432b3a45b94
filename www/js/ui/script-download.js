// "As a PyTorch script": the button a training view adds with one line. The core writes the script from the run's
// settings (pytorch_script, src/run/script.rs); it is saved with its .npz beside it when the data are generated
// (symbols, the transfer lab's targets and zoo body). `request()` returns (or resolves to) { kind, settings, bytes } as
// `new Session(kind, settings, bytes)` takes them, or a list of them with a `part` each (a comparison's arms: one
// script per arm, named VIEW-PART); a refused setting is shown next to the button, never thrown.
import { coreMessage, downloadFile, el } from './dom.js';
import { t } from '../i18n/index.js';
import { chartName, cleanName } from './figure-download.js';

// The page's link as the script's header quotes it (printable ASCII without quotes or backslashes).
export function scriptLink(href = location.href) {
  return href.replace(/[^\x21-\x7e]|['"\\]/g, (c) => encodeURIComponent(c).replace(/'/g, '%27'));
}

export function scriptButton(wasm, request, view = 'train') {
  const button = el('button', { type: 'button', 'data-action': 'download-script' }, t('download.script'));
  const message = el('span', { class: 'field-error', role: 'status', 'data-message': 'script' });
  button.addEventListener('click', async () => {
    message.textContent = '';
    try {
      const asked = await request();
      for (const { kind, settings, bytes, part } of [asked].flat()) {
        const name = part ? `${chartName(view).slice(0, 80)}-${cleanName(part).slice(0, 19)}` : chartName(view);
        const made = wasm.pytorch_script(kind, settings, bytes ?? null, { name, link: scriptLink() });
        downloadFile(made.text, made.file, 'text/x-python');
        if (made.npz) downloadFile(made.npz, made.npzFile, 'application/octet-stream');
      }
    } catch (e) {
      message.textContent = coreMessage(e);
    }
  });
  return el('span', { class: 'script-download' }, button, message);
}
