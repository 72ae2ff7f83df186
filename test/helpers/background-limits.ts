/** Pictures built byte by byte for the background load-limit tests: headers that declare a size, and a createImageBitmap spy. */

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * A PNG's signature, its IHDR chunk (CRC included) for a `width`×`height`
 * RGBA picture, and IEND: 45 bytes that declare any size, with no pixels.
 */
export function pngHeader(width: number, height: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(45);
  const view = new DataView(bytes.buffer);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  view.setUint32(8, 13);
  bytes.set([...'IHDR'].map((c) => c.charCodeAt(0)), 12);
  view.setUint32(16, width);
  view.setUint32(20, height);
  bytes.set([8, 6, 0, 0, 0], 24);
  view.setUint32(29, crc32(bytes.subarray(12, 29)));
  view.setUint32(33, 0);
  bytes.set([...'IEND'].map((c) => c.charCodeAt(0)), 37);
  view.setUint32(41, crc32(bytes.subarray(37, 41)));
  return bytes;
}

/** A GIF header: a `width`×`height` logical screen and a first frame `frameWidth`×`frameHeight` at the origin (no pixels). */
export function gifHeader(width: number, height: number, frameWidth: number, frameHeight: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(31);
  const view = new DataView(bytes.buffer);
  bytes.set([...'GIF89a'].map((c) => c.charCodeAt(0)));
  view.setUint16(6, width, true);
  view.setUint16(8, height, true);
  // No global colour table; a Graphic Control Extension (one 4-byte sub-block, then the empty one)…
  bytes.set([0x21, 0xf9, 4, 0, 0, 0, 0, 0], 13);
  // …then the first frame's descriptor: left, top, width, height.
  bytes[21] = 0x2c;
  view.setUint16(26, frameWidth, true);
  view.setUint16(28, frameHeight, true);
  return bytes;
}

/** A BMP header (BITMAPINFOHEADER) for a `width`×`height` picture, stored top-down (a negative height). */
export function bmpHeader(width: number, height: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(54);
  const view = new DataView(bytes.buffer);
  bytes.set([0x42, 0x4d]);
  view.setUint32(14, 40, true);
  view.setInt32(18, width, true);
  view.setInt32(22, -height, true);
  return bytes;
}

/** A JPEG with an EXIF APP1 segment saying `orientation` inserted after its SOI marker. */
export async function withExifOrientation(jpeg: Blob, orientation: number): Promise<Blob> {
  // "Exif\0\0", then a big-endian TIFF header, one IFD with one entry: Orientation (0x0112), SHORT, 1 value.
  const tiff = new Uint8Array(26);
  const view = new DataView(tiff.buffer);
  tiff.set([0x4d, 0x4d, 0, 42]);
  view.setUint32(4, 8);
  view.setUint16(8, 1);
  view.setUint16(10, 0x0112);
  view.setUint16(12, 3);
  view.setUint32(14, 1);
  view.setUint16(18, orientation);
  view.setUint32(22, 0);
  const exif = new Uint8Array(6 + tiff.length);
  exif.set([...'Exif'].map((c) => c.charCodeAt(0)));
  exif.set(tiff, 6);
  const segment = new Uint8Array(4 + exif.length);
  segment.set([0xff, 0xe1]);
  new DataView(segment.buffer).setUint16(2, 2 + exif.length);
  segment.set(exif, 4);
  const original = new Uint8Array(await jpeg.arrayBuffer());
  return new Blob([original.subarray(0, 2), segment, original.subarray(2)], { type: 'image/jpeg' });
}

/** What createImageBitmap was asked to decode, by anyone on this page, while the spy is on. */
export interface DecodeSpy {
  readonly calls: { readonly source: ImageBitmapSource; readonly options: ImageBitmapOptions | undefined }[];
  restore(): void;
}

/** Wraps (not replaces) the page's createImageBitmap, which the background loader calls on the page. */
export function spyOnCreateImageBitmap(): DecodeSpy {
  const original = window.createImageBitmap;
  const calls: { source: ImageBitmapSource; options: ImageBitmapOptions | undefined }[] = [];
  const spy = (source: ImageBitmapSource, ...rest: unknown[]): Promise<ImageBitmap> => {
    // createImageBitmap(source, options) or createImageBitmap(source, sx, sy, sw, sh, options).
    const last = rest[rest.length - 1];
    calls.push({ source, options: typeof last === 'object' && last !== null ? (last as ImageBitmapOptions) : undefined });
    return (original as (source: ImageBitmapSource, ...rest: unknown[]) => Promise<ImageBitmap>).call(window, source, ...rest);
  };
  window.createImageBitmap = spy as typeof window.createImageBitmap;
  return {
    calls,
    restore: () => {
      window.createImageBitmap = original;
    },
  };
}
