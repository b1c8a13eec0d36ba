// Reads a one-frame GIF's pixels (colour-table indices), for checking the QR pictures the link page
// draws: independent of the encoder that wrote them, so a wrong picture shows as wrong pixels.

export interface DecodedGif {
  width: number;
  height: number;
  /** The colour-table index at (x, y). */
  pixel(x: number, y: number): number;
}

export function decodeGif(bytes: Buffer): DecodedGif {
  const signature = bytes.subarray(0, 6).toString('latin1');
  if (signature !== 'GIF87a' && signature !== 'GIF89a') throw new Error(`not a GIF: ${signature}`);
  const flags = bytes[10];
  let at = 13 + (flags & 0x80 ? 3 * (1 << ((flags & 7) + 1)) : 0);
  // Skip extensions up to the first image descriptor.
  while (bytes[at] === 0x21) {
    at += 2;
    while (bytes[at] !== 0) at += bytes[at] + 1;
    at += 1;
  }
  if (bytes[at] !== 0x2c) throw new Error('GIF: no image descriptor');
  const width = bytes.readUInt16LE(at + 5);
  const height = bytes.readUInt16LE(at + 7);
  const imageFlags = bytes[at + 9];
  if (imageFlags & 0x40) throw new Error('GIF: interlaced images are not read here');
  at += 10 + (imageFlags & 0x80 ? 3 * (1 << ((imageFlags & 7) + 1)) : 0);
  const minCodeSize = bytes[at++];
  const chunks: Buffer[] = [];
  while (bytes[at] !== 0) {
    chunks.push(bytes.subarray(at + 1, at + 1 + bytes[at]));
    at += bytes[at] + 1;
  }
  const indices = lzwDecode(Buffer.concat(chunks), minCodeSize, width * height);
  if (indices.length < width * height) throw new Error(`GIF: ${indices.length} of ${width * height} pixels`);
  return { width, height, pixel: (x, y) => indices[y * width + x] };
}

/** GIF's variable-width LZW, least significant bit first. */
function lzwDecode(data: Buffer, minCodeSize: number, pixels: number): number[] {
  const clear = 1 << minCodeSize;
  const end = clear + 1;
  let table: number[][] = [];
  let size = minCodeSize + 1;
  const reset = () => {
    table = Array.from({ length: clear + 2 }, (_, i) => (i < clear ? [i] : []));
    size = minCodeSize + 1;
  };
  reset();
  const out: number[] = [];
  let previous: number[] | null = null;
  let bit = 0;
  while (out.length < pixels && bit + size <= data.length * 8) {
    let code = 0;
    for (let i = 0; i < size; i += 1, bit += 1) code |= ((data[bit >> 3] >> (bit & 7)) & 1) << i;
    if (code === clear) {
      reset();
      previous = null;
      continue;
    }
    if (code === end) break;
    let entry: number[];
    if (code < table.length) entry = table[code];
    else if (previous && code === table.length) entry = [...previous, previous[0]];
    else throw new Error(`GIF: bad LZW code ${code}`);
    out.push(...entry);
    if (previous) table.push([...previous, entry[0]]);
    previous = entry;
    if (table.length === 1 << size && size < 12) size += 1;
  }
  return out;
}
