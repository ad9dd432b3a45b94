// Reading a person's image file: the size checks before decoding (the file's bytes, the pixel size its header
// claims, the size the browser reads) and the decoding itself, shared by the augmentation studio's own image and the
// transfer lab's buckets. Nothing here is inserted into the page.

import { t } from '../i18n/index.js';
import { HEADER_BYTES, imageHeaderSize } from './image-header.js';

const MAX_FILE_BYTES = 50 * 1024 * 1024;
const MAX_DECODED_PIXELS = 100_000_000; // 10⁴ × 10⁴: beyond that decoding alone needs gigabytes

// The size of an image file as the browser reads it from the header (EXIF orientation applied), without decoding
// the pixels: an <img> reports its natural size on load and decodes lazily.
async function imageSize(file) {
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.src = url;
    await new Promise((resolve, reject) => { img.onload = resolve; img.onerror = reject; });
    return { width: img.naturalWidth, height: img.naturalHeight };
  } finally {
    URL.revokeObjectURL(url);
  }
}

// Decodes a file with the browser (EXIF orientation applied) and downscales it to longSide on its long side:
// { rgba, width, height, name }. A file that is too large, claims too many pixels or is not an image throws an Error
// whose message names the file and says why. The size is checked before any pixel is decoded, so a small file that
// claims a gigantic image is refused cheaply.
export async function decodeImage(file, longSide) {
  if (file.size > MAX_FILE_BYTES) throw new Error(t('augment.file.too_big', { name: file.name, mb: (file.size / 2 ** 20).toFixed(0), max: MAX_FILE_BYTES / 2 ** 20 }));
  // What the header claims first: the browser cannot decode a gigantic image and would only say it is unreadable.
  const claimed = imageHeaderSize(new Uint8Array(await file.slice(0, HEADER_BYTES).arrayBuffer()));
  if (claimed && claimed.width * claimed.height > MAX_DECODED_PIXELS) {
    throw new Error(t('augment.file.too_many_pixels', { name: file.name, ...claimed }));
  }
  let size;
  try {
    size = await imageSize(file);
  } catch {
    throw new Error(t('augment.file.not_image', { name: file.name }));
  }
  const { width, height } = size;
  if (!width || !height) throw new Error(t('augment.file.empty', { name: file.name }));
  if (width * height > MAX_DECODED_PIXELS) throw new Error(t('augment.file.too_many_pixels', { name: file.name, width, height }));
  const scale = Math.min(1, longSide / Math.max(width, height));
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image', resizeWidth: w, resizeHeight: h, resizeQuality: 'high' });
  } catch {
    throw new Error(t('augment.file.not_image', { name: file.name }));
  }
  try {
    const canvas = new OffscreenCanvas(w, h);
    const g = canvas.getContext('2d');
    g.drawImage(bitmap, 0, 0);
    return { rgba: g.getImageData(0, 0, w, h).data, width: w, height: h, name: file.name };
  } finally {
    bitmap.close();
  }
}

