/**
 * The size a picture declares in its header (PNG, JPEG, GIF, WebP, BMP), read
 * from its first bytes before anything decodes it, so that a picture too large
 * to hold is refused without being decoded.
 */

/** A picture's size as its header declares it, read before anything decodes it. */
export interface DeclaredSize {
  readonly format: 'PNG' | 'JPEG' | 'GIF' | 'WebP' | 'BMP';
  readonly width: number;
  readonly height: number;
  /**
   * Whether the decoded picture is sure to have exactly these sides, in this
   * order, so that it may be decoded straight to a smaller size. Not when EXIF
   * metadata may turn it a quarter (its sides swap) or a GIF's first frame
   * reaches past its screen.
   */
  readonly exact: boolean;
}

/** Bytes of a Blob read on demand: the first 64 KiB once, anything further by slices, never the whole file. */
class BlobBytes {
  private static readonly HEAD = 65536;
  private head: Uint8Array | null = null;

  constructor(private readonly blob: Blob) {}

  get size(): number {
    return this.blob.size;
  }

  /** Up to `length` bytes from `offset`: fewer where the file ends sooner. */
  async read(offset: number, length: number): Promise<DataView> {
    const end = Math.min(this.blob.size, offset + length);
    if (offset >= end) return new DataView(new ArrayBuffer(0));
    this.head ??= new Uint8Array(await this.blob.slice(0, BlobBytes.HEAD).arrayBuffer());
    if (end <= this.head.byteLength) return new DataView(this.head.buffer, this.head.byteOffset + offset, end - offset);
    return new DataView(await this.blob.slice(offset, end).arrayBuffer());
  }
}

function ascii(view: DataView, offset: number, length: number): string {
  let text = '';
  for (let i = offset; i < offset + length && i < view.byteLength; i++) text += String.fromCharCode(view.getUint8(i));
  return text;
}

/** The EXIF orientation (1–8) in a TIFF structure, 1 when it has none, null when it cannot be read. */
function tiffOrientation(view: DataView): number | null {
  if (view.byteLength < 8) return null;
  const order = ascii(view, 0, 2);
  if (order !== 'II' && order !== 'MM') return null;
  const little = order === 'II';
  if (view.getUint16(2, little) !== 42) return null;
  const ifd = view.getUint32(4, little);
  if (ifd + 2 > view.byteLength) return null;
  const count = view.getUint16(ifd, little);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > view.byteLength) return null;
    if (view.getUint16(entry, little) === 0x0112) return view.getUint16(entry + 8, little);
  }
  return 1;
}

/** Orientations 5–8 turn the picture a quarter: its width becomes its height. */
function swapsSides(orientation: number | null): boolean {
  return orientation === null || orientation >= 5;
}

/** How far a walk through a file's segments or chunks goes before it gives up (a file built to be walked for ever). */
const MAX_HEADER_STEPS = 1024;

async function pngSize(bytes: BlobBytes, head: DataView): Promise<DeclaredSize | null> {
  if (head.byteLength < 24 || ascii(head, 12, 4) !== 'IHDR') return null;
  const width = head.getUint32(16);
  const height = head.getUint32(20);
  // An eXIf chunk before the pixels may turn the picture; Chromium reads it there.
  let exact = true;
  let offset = 8;
  for (let step = 0; step < MAX_HEADER_STEPS && offset + 8 <= bytes.size; step++) {
    const chunk = await bytes.read(offset, 8);
    if (chunk.byteLength < 8) break;
    const length = chunk.getUint32(0);
    const type = ascii(chunk, 4, 4);
    if (type === 'IDAT' || type === 'IEND') break;
    if (type === 'eXIf') {
      exact = !swapsSides(tiffOrientation(await bytes.read(offset + 8, Math.min(length, 65536))));
      break;
    }
    offset += 12 + length;
  }
  return { format: 'PNG', width, height, exact };
}

async function jpegSize(bytes: BlobBytes): Promise<DeclaredSize | null> {
  let offset = 2;
  let orientation: number | null = 1;
  for (let step = 0; step < MAX_HEADER_STEPS && offset + 4 <= bytes.size; step++) {
    const segment = await bytes.read(offset, 4);
    if (segment.byteLength < 2 || segment.getUint8(0) !== 0xff) return null;
    const marker = segment.getUint8(1);
    // Fill bytes, and markers that stand alone without a length.
    if (marker === 0xff) {
      offset += 1;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2;
      continue;
    }
    // The pixels (or the end) before any frame header: nothing declared.
    if (marker === 0xda || marker === 0xd9 || segment.byteLength < 4) return null;
    const length = segment.getUint16(2);
    if (length < 2) return null;
    // SOF0–SOF15, less DHT (C4), JPG (C8) and DAC (CC): precision, height, width.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      const frame = await bytes.read(offset + 4, 5);
      if (frame.byteLength < 5) return null;
      const height = frame.getUint16(1);
      const width = frame.getUint16(3);
      // A height of 0 is declared later (DNL): not a size to go by.
      if (height === 0) return null;
      return { format: 'JPEG', width, height, exact: !swapsSides(orientation) };
    }
    if (marker === 0xe1) {
      const app1 = await bytes.read(offset + 4, Math.min(length - 2, 65536));
      if (ascii(app1, 0, 6) === 'Exif\0\0') orientation = tiffOrientation(new DataView(app1.buffer, app1.byteOffset + 6, app1.byteLength - 6));
    }
    offset += 2 + length;
  }
  return null;
}

async function gifSize(bytes: BlobBytes, head: DataView): Promise<DeclaredSize | null> {
  if (head.byteLength < 13) return null;
  const width = head.getUint16(6, true);
  const height = head.getUint16(8, true);
  const flags = head.getUint8(10);
  // The first frame may reach past the logical screen, and a decoder may grow the picture to hold it.
  let offset = 13 + (flags & 0x80 ? 3 * 2 ** ((flags & 7) + 1) : 0);
  for (let step = 0; step < MAX_HEADER_STEPS; step++) {
    const block = await bytes.read(offset, 10);
    if (block.byteLength < 1) break;
    const kind = block.getUint8(0);
    if (kind === 0x2c) {
      if (block.byteLength < 9) break;
      const right = block.getUint16(1, true) + block.getUint16(5, true);
      const bottom = block.getUint16(3, true) + block.getUint16(7, true);
      if (right <= width && bottom <= height) break;
      return { format: 'GIF', width: Math.max(width, right), height: Math.max(height, bottom), exact: false };
    }
    if (kind !== 0x21 || block.byteLength < 3) break;
    // An extension: its label, then sub-blocks of a length byte each, up to an empty one.
    offset += 2;
    for (let sub = 0; sub < MAX_HEADER_STEPS; sub++) {
      const size = await bytes.read(offset, 1);
      if (size.byteLength < 1) return { format: 'GIF', width, height, exact: true };
      offset += 1 + size.getUint8(0);
      if (size.getUint8(0) === 0) break;
    }
  }
  return { format: 'GIF', width, height, exact: true };
}

function webpSize(head: DataView): DeclaredSize | null {
  if (head.byteLength < 30) return null;
  const chunk = ascii(head, 12, 4);
  if (chunk === 'VP8 ') {
    if (head.getUint8(23) !== 0x9d || head.getUint8(24) !== 0x01 || head.getUint8(25) !== 0x2a) return null;
    return { format: 'WebP', width: head.getUint16(26, true) & 0x3fff, height: head.getUint16(28, true) & 0x3fff, exact: true };
  }
  if (chunk === 'VP8L') {
    if (head.getUint8(20) !== 0x2f) return null;
    const bits = head.getUint32(21, true);
    return { format: 'WebP', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1, exact: true };
  }
  if (chunk === 'VP8X') {
    const u24 = (at: number): number => head.getUint8(at) | (head.getUint8(at + 1) << 8) | (head.getUint8(at + 2) << 16);
    // Flag 0x08: EXIF metadata, which may turn the picture; it lies after the pixels, so it is not read.
    return { format: 'WebP', width: u24(24) + 1, height: u24(27) + 1, exact: (head.getUint8(20) & 0x08) === 0 };
  }
  return null;
}

function bmpSize(head: DataView): DeclaredSize | null {
  if (head.byteLength < 26) return null;
  const header = head.getUint32(14, true);
  if (header === 12) return { format: 'BMP', width: head.getUint16(18, true), height: head.getUint16(20, true), exact: true };
  if (header < 40) return null;
  // A negative height is a picture stored top-down.
  return { format: 'BMP', width: Math.abs(head.getInt32(18, true)), height: Math.abs(head.getInt32(22, true)), exact: true };
}

/**
 * The size a picture declares in its header (PNG, JPEG, GIF, WebP, BMP),
 * read from its first bytes without decoding it; null for another format
 * (SVG, AVIF, …) or a header that cannot be read.
 */
export async function readDeclaredSize(blob: Blob): Promise<DeclaredSize | null> {
  const bytes = new BlobBytes(blob);
  const head = await bytes.read(0, 32);
  if (head.byteLength >= 8 && head.getUint32(0) === 0x89504e47 && head.getUint32(4) === 0x0d0a1a0a) return pngSize(bytes, head);
  if (head.byteLength >= 3 && head.getUint8(0) === 0xff && head.getUint8(1) === 0xd8 && head.getUint8(2) === 0xff) return jpegSize(bytes);
  if (/^GIF8[79]a$/.test(ascii(head, 0, 6))) return gifSize(bytes, head);
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 4) === 'WEBP') return webpSize(head);
  if (ascii(head, 0, 2) === 'BM') return bmpSize(head);
  return null;
}
