// Optional helper for pages that embed the CNN Playground in iframes (README "Embedding"):
//   <script src="https://…/embed.js" defer></script>
// An embedded view (embed=1) posts { type: 'cnn-playground:height', id, panel, height } to its parent whenever its
// content height changes; this script sets the height of the iframe that sent it. It trusts a message only from the
// window of one of this page's iframes, and only when the message's origin is that iframe's origin (from its src), so
// other frames and other origins cannot resize anything; it only ever sets a height, never inserts HTML. Loading it
// twice installs it once. An author who wants a cap sets max-height on the iframe in CSS.
(() => {
  if (window.cnnPlaygroundEmbed) return;
  const TYPE = 'cnn-playground:height';
  const MAX_HEIGHT = 20000; // px: a runaway value cannot make the host page endless

  function frameOf(event) {
    for (const frame of document.getElementsByTagName('iframe')) {
      if (frame.contentWindow !== event.source) continue;
      let origin;
      try {
        origin = new URL(frame.src, location.href).origin;
      } catch {
        return null;
      }
      return origin === event.origin ? frame : null;
    }
    return null;
  }

  window.addEventListener('message', (event) => {
    const data = event.data;
    if (!data || typeof data !== 'object' || data.type !== TYPE) return;
    const height = Number(data.height);
    if (!Number.isFinite(height) || height <= 0) return;
    const frame = frameOf(event);
    if (!frame) return;
    frame.style.height = `${Math.min(Math.ceil(height), MAX_HEIGHT)}px`;
    frame.dataset.cnnPlaygroundHeight = String(Math.ceil(height));
  });
  window.cnnPlaygroundEmbed = Object.freeze({ version: 1 });
})();
