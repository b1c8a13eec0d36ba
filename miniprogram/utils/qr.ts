// A QR code drawn on the phone, offline: qrcode-generator encodes the text and writes a GIF as a
// data URL in plain JavaScript (no canvas, no network), which <image> shows and WeChat's
// long-press menu recognises. The function never sees it: the link stays between merchant and admin.
import qrcode = require('qrcode-generator');

export interface QrImage {
  /** `data:image/gif;base64,…`, for <image src>. */
  dataUrl: string;
  /** The GIF's bytes in base64, for writing a file to share. */
  base64: string;
  /** Modules per side (a 183-character link needs about 57). */
  size: number;
}

/** Pixels per module and quiet zone, so the picture stays sharp when shown at about 200 px. */
const CELL = 4;
const MARGIN = 4 * CELL;

/** Level M: a phone's camera reads it from another screen; the link has no room for H's overhead. */
export function qrImage(text: string): QrImage {
  const code = qrcode(0, 'M');
  code.addData(text, 'Byte');
  code.make();
  const dataUrl = code.createDataURL(CELL, MARGIN);
  return { dataUrl, base64: dataUrl.slice(dataUrl.indexOf(',') + 1), size: code.getModuleCount() };
}

/** Whether module (row, col) of the code for `text` is dark: what tests compare a picture against. */
export function qrModules(text: string): boolean[][] {
  const code = qrcode(0, 'M');
  code.addData(text, 'Byte');
  code.make();
  const count = code.getModuleCount();
  return Array.from({ length: count }, (_, row) => Array.from({ length: count }, (__, col) => code.isDark(row, col)));
}
