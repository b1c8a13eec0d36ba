/**
 * Small real images for `/wxa/getwxacodeunlimit` and the trial QR code (`/wxa/get_qrcode`): a
 * pattern derived from the request (so two scenes give different bytes), encoded as JPEG, or as PNG
 * when `is_hyaline` asks for it (spec §15.3). Shared because two areas answer with images.
 */
import { createHash } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';

const SIDE = 48;
const CELL = 4;

/** RGBA pixels of a SIDE×SIDE grid of dark and light cells chosen by sha256(seed). */
function pattern(seed: string): Buffer {
  const bits = createHash('sha256').update(seed).digest();
  const pixels = Buffer.alloc(SIDE * SIDE * 4);
  const cells = SIDE / CELL;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const cell = Math.floor(y / CELL) * cells + Math.floor(x / CELL);
      const dark = (bits[cell % bits.length] >> (cell % 8)) & 1;
      const offset = (y * SIDE + x) * 4;
      pixels.fill(dark ? 0x20 : 0xf0, offset, offset + 3);
      pixels[offset + 3] = 0xff;
    }
  }
  return pixels;
}

export function wxacodeJpeg(seed: string): Buffer {
  return Buffer.from(jpeg.encode({ data: pattern(seed), width: SIDE, height: SIDE }, 90).data);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

export function wxacodePng(seed: string): Buffer {
  const pixels = pattern(seed);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(SIDE, 0);
  header.writeUInt32BE(SIDE, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  const rows = Buffer.alloc(SIDE * (SIDE * 4 + 1));
  for (let y = 0; y < SIDE; y++) pixels.copy(rows, y * (SIDE * 4 + 1) + 1, y * SIDE * 4, (y + 1) * SIDE * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
