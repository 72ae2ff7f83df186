/**
 * The `background` option on the page: what a page may set, how a string is
 * read (a keyword, a CSS colour, or an image URL), and how each value becomes
 * something the worker can draw (an ImageBitmap, a colour, or a video's frames).
 */

/**
 * What may stand behind the person: `blur` (the default), `none` (the effect
 * off), a CSS colour, an image URL, or an image or video the page already has.
 */
export type BackgroundValue = string | ImageBitmap | Blob | HTMLImageElement | HTMLVideoElement;

/** A background value, read but not yet loaded. */
export type ParsedBackground =
  | { readonly kind: 'blur' }
  | { readonly kind: 'none' }
  | { readonly kind: 'colour'; readonly rgb: readonly [number, number, number] }
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'bitmap'; readonly bitmap: ImageBitmap }
  | { readonly kind: 'blob'; readonly blob: Blob }
  | { readonly kind: 'img'; readonly img: HTMLImageElement }
  | { readonly kind: 'video'; readonly video: HTMLVideoElement };

/** A background ready for the worker: a decoded picture the processor owns, or a video to take frames from. */
export type LoadedBackground =
  | { readonly kind: 'blur' }
  | { readonly kind: 'none' }
  | { readonly kind: 'colour'; readonly rgb: readonly [number, number, number] }
  | { readonly kind: 'image'; readonly bitmap: ImageBitmap }
  | { readonly kind: 'video'; readonly video: HTMLVideoElement };

/** A background that could not be loaded; its message names what failed and what the output does instead. */
export class BackgroundLoadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BackgroundLoadError';
  }
}

/** Pictures larger than this on their long side are decoded smaller: no frame needs more, and memory stays bounded. */
const MAX_BACKGROUND_SIDE = 3840;
const URL_SCHEMES = new Set(['http:', 'https:', 'data:', 'blob:']);

/**
 * How long each step of loading a background may take (the fetch until its
 * headers, reading its body, decoding it, an <img>'s load, a <video>'s first
 * frame) before it gives up: a server that never answers must not leave the
 * load pending for ever, nor the page without its `background-load` error.
 */
export const BACKGROUND_LOAD_TIMEOUT_MS = 10_000;
/** The most bytes a background URL's body may have: a picture larger than this is no background, and would only fill memory. */
export const MAX_BACKGROUND_BYTES = 32 * 1024 * 1024;
/**
 * The most pixels a picture's header may declare: it is decoded at full size
 * (4 bytes a pixel) before anything shrinks it, so 40 megapixels (160 MB)
 * bounds what one background can take; a 30000×30000 header would ask for 3.6 GB.
 */
export const MAX_BACKGROUND_PIXELS = 40_000_000;
/** The longest side a picture's header may declare: a bound on a thin strip (say 1×40 000 000) that the pixel cap alone would let through. */
export const MAX_BACKGROUND_DECLARED_SIDE = 16384;

let colourContext: OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null = null;

/** A CSS colour as opaque sRGB bytes (a translucent colour is taken over black), or null when it is not a colour. */
export function parseColour(value: string): [number, number, number] | null {
  if (typeof CSS === 'undefined' || !CSS.supports('color', value)) return null;
  if (/^\s*(currentcolor|inherit|initial|unset|revert|revert-layer)\s*$/i.test(value)) return null;
  colourContext ??= typeof OffscreenCanvas === 'function'
    ? new OffscreenCanvas(1, 1).getContext('2d', { willReadFrequently: true })
    : document.createElement('canvas').getContext('2d', { willReadFrequently: true });
  const context = colourContext;
  if (!context) return null;
  context.globalCompositeOperation = 'copy';
  context.fillStyle = '#000';
  context.fillStyle = value;
  context.fillRect(0, 0, 1, 1);
  const [r, g, b, a] = context.getImageData(0, 0, 1, 1).data;
  const alpha = a! / 255;
  return [Math.round(r! * alpha), Math.round(g! * alpha), Math.round(b! * alpha)];
}

/**
 * Reads a background value without loading anything. Null means it is not a
 * background at all (a number, an object of another kind, a URL of a scheme
 * that cannot hold an image, a bare word that is no keyword or colour): the
 * caller warns and keeps the previous one.
 */
export function parseBackground(value: unknown): ParsedBackground | null {
  if (value === null || value === undefined) return { kind: 'blur' };
  if (typeof value === 'string') {
    const text = value.trim();
    const keyword = text.toLowerCase();
    if (keyword === '' || keyword === 'blur') return { kind: 'blur' };
    if (keyword === 'none') return { kind: 'none' };
    const rgb = parseColour(text);
    if (rgb) return { kind: 'colour', rgb };
    const wrapped = /^url\(\s*(['"]?)(.*)\1\s*\)$/i.exec(text)?.[2];
    // A bare word ("blurr", "nonee", "gren") is a typo of a keyword or a colour far
    // more often than a file beside the page: it is refused, not fetched. A file
    // without a '/', '.' or ':' in its name can still be had as ./name or url(name).
    if (wrapped === undefined && !/[/.:]/.test(text)) return null;
    const inner = wrapped ?? text;
    let url: URL;
    try {
      url = new URL(inner, typeof document !== 'undefined' ? document.baseURI : undefined);
    } catch {
      return null;
    }
    if (!URL_SCHEMES.has(url.protocol)) return null;
    return { kind: 'url', url: url.href };
  }
  if (typeof ImageBitmap === 'function' && value instanceof ImageBitmap) return { kind: 'bitmap', bitmap: value };
  if (typeof Blob === 'function' && value instanceof Blob) return { kind: 'blob', blob: value };
  if (typeof HTMLImageElement === 'function' && value instanceof HTMLImageElement) return { kind: 'img', img: value };
  if (typeof HTMLVideoElement === 'function' && value instanceof HTMLVideoElement) return { kind: 'video', video: value };
  return null;
}

/** Decodes a picture at most MAX_BACKGROUND_SIDE on its long side. */
async function decode(source: ImageBitmapSource, width: number, height: number): Promise<ImageBitmap> {
  const scale = Math.min(1, MAX_BACKGROUND_SIDE / Math.max(width, height));
  if (scale >= 1) return createImageBitmap(source);
  return createImageBitmap(source, {
    resizeWidth: Math.max(1, Math.round(width * scale)),
    resizeHeight: Math.max(1, Math.round(height * scale)),
    resizeQuality: 'high',
  });
}

const SECONDS = BACKGROUND_LOAD_TIMEOUT_MS / 1000;

/**
 * Runs one step of a load with a signal of its own, which aborts when `signal`
 * does (the step rejects with the signal's reason) or when the step has taken
 * BACKGROUND_LOAD_TIMEOUT_MS (it rejects with a BackgroundLoadError saying
 * `timeoutMessage`). The step should stop its work when its signal aborts; a
 * step that cannot be stopped (a decode) and finishes late has its result
 * handed to `discard`. The timer and the listener go on every path.
 */
function withTimeout<T>(signal: AbortSignal, timeoutMessage: string, step: (stepSignal: AbortSignal) => Promise<T>, discard?: (late: T) => void): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      return true;
    };
    const onAbort = (): void => {
      if (!settle()) return;
      reject(signal.reason);
      controller.abort(signal.reason);
    };
    const timer = setTimeout(() => {
      if (!settle()) return;
      const error = new BackgroundLoadError(timeoutMessage);
      reject(error);
      controller.abort(error);
    }, BACKGROUND_LOAD_TIMEOUT_MS);
    signal.addEventListener('abort', onAbort, { once: true });
    let work: Promise<T>;
    try {
      work = step(controller.signal);
    } catch (error) {
      work = Promise.reject(error);
    }
    work.then(
      (value) => {
        if (settle()) resolve(value);
        else discard?.(value);
      },
      (error: unknown) => {
        // After a timeout or an abort the step's own rejection is expected, and already answered.
        if (settle()) reject(error);
      },
    );
  });
}

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

/** Why a declared size is refused, or null when it is within bounds. */
function tooLarge({ width, height }: DeclaredSize): string | null {
  if (width * height <= MAX_BACKGROUND_PIXELS && Math.max(width, height) <= MAX_BACKGROUND_DECLARED_SIDE) return null;
  return `at most ${MAX_BACKGROUND_PIXELS / 1e6} megapixels and ${MAX_BACKGROUND_DECLARED_SIDE} pixels on a side`;
}

/**
 * Decodes a picture file at most MAX_BACKGROUND_SIDE on its long side. Its
 * header is read first: a picture that declares more than the pixel or side
 * cap is refused before anything decodes it, and one within bounds but larger
 * than MAX_BACKGROUND_SIDE is decoded straight to its smaller size. Another
 * format, or one whose sides may swap, is decoded at full size and then
 * shrunk, as before. Throws BackgroundLoadError, or the signal's reason.
 */
function decodeBlob(blob: Blob, what: string, signal: AbortSignal): Promise<ImageBitmap> {
  return withTimeout(
    signal,
    `The background ${what} was not decoded within ${SECONDS} s. The background stays blurred.`,
    async () => {
      const declared = await readDeclaredSize(blob);
      if (declared) {
        const limit = tooLarge(declared);
        if (limit) {
          const megapixels = (declared.width * declared.height) / 1e6;
          throw new BackgroundLoadError(
            `The background ${what} is ${declared.width}×${declared.height} pixels (${megapixels.toFixed(megapixels < 10 ? 1 : 0)} megapixels), as its ${declared.format} header declares; a background may have ${limit}, so it is not decoded. The background stays blurred.`,
          );
        }
      }
      const direct = declared?.exact === true && declared.width > 0 && declared.height > 0 && Math.max(declared.width, declared.height) > MAX_BACKGROUND_SIDE;
      let bitmap: ImageBitmap;
      try {
        bitmap = direct ? await decode(blob, declared.width, declared.height) : await createImageBitmap(blob);
      } catch (error) {
        throw new BackgroundLoadError(`The background ${what} is not an image this browser can decode (${blob.type || 'unknown type'}). The background stays blurred.`, { cause: error });
      }
      if (Math.max(bitmap.width, bitmap.height) <= MAX_BACKGROUND_SIDE) return bitmap;
      try {
        return await decode(bitmap, bitmap.width, bitmap.height);
      } finally {
        bitmap.close();
      }
    },
    // A decode cannot be stopped: one that ends after the timeout is closed here.
    (late) => late.close(),
  );
}

/** Whether pixels of `source` may be read back; a cross-origin image or video without CORS may not be used. */
function originClean(source: CanvasImageSource): boolean {
  const canvas = new OffscreenCanvas(1, 1);
  const context = canvas.getContext('2d')!;
  try {
    context.drawImage(source, 0, 0, 1, 1);
    context.getImageData(0, 0, 1, 1);
    return true;
  } catch {
    return false;
  }
}

function describeUrl(url: string): string {
  return url.startsWith('data:') ? `${url.slice(0, 40)}…` : url;
}

function mebibytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(0)} MiB`;
}

/** Lets go of a response's body that will not be read, so that its connection is freed. */
function discardBody(response: Response): void {
  if (response.body && !response.bodyUsed) void response.body.cancel().catch(() => undefined);
}

/**
 * Refuses a response that a same-origin URL got from another origin by a
 * redirect: the page asked for one of its own files, and a picture from
 * elsewhere (allowed by that server's CORS) is not what it asked for.
 */
function checkRedirect(requested: string, response: Response, name: string): void {
  if (!response.redirected || !response.url || typeof location === 'undefined') return;
  const from = new URL(requested).origin;
  const to = new URL(response.url).origin;
  if (from === location.origin && to !== from) {
    throw new BackgroundLoadError(
      `The background image ${name} redirected to another origin (${describeUrl(response.url)}); a background on this page's own origin must stay on it. The background stays blurred.`,
    );
  }
}

/**
 * Reads a response's body, at most MAX_BACKGROUND_BYTES of it: a larger one is
 * refused as soon as it passes the cap (or at once, from its Content-Length),
 * never held whole. Stops reading when `signal` aborts.
 */
async function readCapped(response: Response, name: string, signal: AbortSignal): Promise<Blob> {
  const type = response.headers.get('content-type') ?? '';
  const tooBig = `The background image ${name} is larger than ${mebibytes(MAX_BACKGROUND_BYTES)}, the most a background may be. The background stays blurred.`;
  // Content-Length counts the bytes on the wire (compressed, perhaps): refuse early by it, but count what is read as well.
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > MAX_BACKGROUND_BYTES) {
    discardBody(response);
    throw new BackgroundLoadError(tooBig);
  }
  if (!response.body) return new Blob([], { type });
  const reader = response.body.getReader();
  const onAbort = (): void => void reader.cancel(signal.reason).catch(() => undefined);
  signal.addEventListener('abort', onAbort, { once: true });
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (signal.aborted) throw signal.reason;
      if (done) break;
      total += value.byteLength;
      if (total > MAX_BACKGROUND_BYTES) {
        void reader.cancel().catch(() => undefined);
        throw new BackgroundLoadError(tooBig);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (signal.aborted || error instanceof BackgroundLoadError) throw error;
    throw new BackgroundLoadError(`The background image ${name} could not be read: ${String(error)}. The background stays blurred.`, { cause: error });
  } finally {
    signal.removeEventListener('abort', onAbort);
    reader.releaseLock();
  }
  return new Blob(chunks, { type });
}

/**
 * Fetches and decodes an image URL: each of the fetch, the body and the
 * decode gives up after BACKGROUND_LOAD_TIMEOUT_MS, the body is capped at
 * MAX_BACKGROUND_BYTES, and a same-origin URL may not be redirected away.
 */
async function loadUrl(url: string, signal: AbortSignal): Promise<ImageBitmap> {
  const name = describeUrl(url);
  const response = await withTimeout(
    signal,
    `The background image ${name} did not answer within ${SECONDS} s. The background stays blurred.`,
    async (stepSignal) => {
      try {
        return await fetch(url, { mode: 'cors', credentials: 'same-origin', redirect: 'follow', signal: stepSignal });
      } catch (error) {
        if (stepSignal.aborted) throw stepSignal.reason;
        throw new BackgroundLoadError(
          `The background image ${name} could not be loaded: the server could not be reached or refused cross-origin use (it needs Access-Control-Allow-Origin). The background stays blurred.`,
          { cause: error },
        );
      }
    },
    discardBody,
  );
  try {
    if (!response.ok) throw new BackgroundLoadError(`The background image ${name} could not be loaded (HTTP ${response.status}). The background stays blurred.`);
    checkRedirect(url, response, name);
  } catch (error) {
    discardBody(response);
    throw error;
  }
  const blob = await withTimeout(
    signal,
    `The background image ${name} did not arrive within ${SECONDS} s. The background stays blurred.`,
    (stepSignal) => readCapped(response, name, stepSignal),
  );
  return decodeBlob(blob, `image ${name}`, signal);
}

/**
 * Loads a parsed background. A URL is fetched with CORS (a server that
 * refuses cross-origin use fails here, not later in the worker), an element
 * is checked for cross-origin taint, and every picture is decoded now, once.
 * No step waits longer than BACKGROUND_LOAD_TIMEOUT_MS. Throws
 * BackgroundLoadError with a message naming what failed, or the signal's
 * reason when it aborts.
 */
export async function loadBackground(parsed: ParsedBackground, signal: AbortSignal): Promise<LoadedBackground> {
  switch (parsed.kind) {
    case 'blur':
    case 'none':
    case 'colour':
      return parsed;
    case 'url':
      return { kind: 'image', bitmap: await loadUrl(parsed.url, signal) };
    case 'blob':
      return { kind: 'image', bitmap: await decodeBlob(parsed.blob, 'Blob', signal) };
    case 'bitmap': {
      // A copy of our own: the page may close its bitmap whenever it likes.
      const { bitmap } = parsed;
      if (bitmap.width === 0 || bitmap.height === 0) throw new BackgroundLoadError('The background ImageBitmap is empty or closed. The background stays blurred.');
      return { kind: 'image', bitmap: await decode(bitmap, bitmap.width, bitmap.height) };
    }
    case 'img': {
      const { img } = parsed;
      const name = describeUrl(img.currentSrc || img.src || 'the <img> element');
      // decode() waits for the load too; it cannot be stopped, only no longer waited for.
      await withTimeout(signal, `The background image ${name} did not load within ${SECONDS} s. The background stays blurred.`, async () => {
        try {
          await img.decode();
        } catch (error) {
          throw new BackgroundLoadError(`The background image ${name} could not be loaded or decoded. The background stays blurred.`, { cause: error });
        }
      });
      if (!originClean(img)) {
        throw new BackgroundLoadError(
          `The background image ${name} comes from a server that refuses cross-origin use: serve it with Access-Control-Allow-Origin and set crossorigin on the <img>. The background stays blurred.`,
        );
      }
      return { kind: 'image', bitmap: await decode(img, img.naturalWidth, img.naturalHeight) };
    }
    case 'video': {
      const { video } = parsed;
      const name = describeUrl(video.currentSrc || video.src || 'the <video> element');
      await withTimeout(
        signal,
        `The background video ${name} did not show its first frame within ${SECONDS} s. The background stays blurred.`,
        (stepSignal) => videoReady(video, name, stepSignal),
      );
      if (!originClean(video)) {
        throw new BackgroundLoadError(
          `The background video ${name} comes from a server that refuses cross-origin use: serve it with Access-Control-Allow-Origin and set crossorigin on the <video>. The background stays blurred.`,
        );
      }
      return { kind: 'video', video };
    }
  }
}

/** Resolves once the video has a frame to show; rejects if it fails to load, or with the signal's reason when it aborts. */
function videoReady(video: HTMLVideoElement, name: string, signal: AbortSignal): Promise<void> {
  if (video.error) return Promise.reject(new BackgroundLoadError(`The background video ${name} could not be loaded (${video.error.message || `code ${video.error.code}`}). The background stays blurred.`));
  if (video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (): void => {
      video.removeEventListener('loadeddata', onData);
      video.removeEventListener('error', onError);
      signal.removeEventListener('abort', onAbort);
    };
    const onData = (): void => {
      done();
      resolve();
    };
    const onError = (): void => {
      done();
      reject(new BackgroundLoadError(`The background video ${name} could not be loaded (${video.error?.message || 'error'}). The background stays blurred.`));
    };
    const onAbort = (): void => {
      done();
      reject(signal.reason);
    };
    video.addEventListener('loadeddata', onData);
    video.addEventListener('error', onError);
    signal.addEventListener('abort', onAbort);
    // A video the page has not started: load it now (it plays once the pump starts).
    if (video.preload === 'none' || video.networkState === HTMLMediaElement.NETWORK_EMPTY) video.load();
  });
}

/** How often a video background's latest frame goes to the worker: about the camera's own rate. */
const VIDEO_FRAME_INTERVAL_MS = 1000 / 30;

/**
 * Sends a video background's frames to the worker, looping the video: about
 * 30 times a second, if the video has moved on, its current frame goes over as
 * a transferred VideoFrame, and the worker closes the one before (latest
 * wins). The video plays by the wall clock, as the camera does, so it stays in
 * time with the output. A timer, not requestVideoFrameCallback, is the clock:
 * that one stops for a video that is not on screen.
 */
export class VideoBackgroundPump {
  private readonly timer: ReturnType<typeof setInterval>;
  private lastMediaTime = -1;
  private readonly startedPlaying: boolean;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly send: (frame: VideoFrame) => void,
  ) {
    video.loop = true;
    video.muted = true;
    video.playsInline = true;
    this.startedPlaying = video.paused;
    if (video.paused) void video.play().catch(() => undefined);
    this.sendNow();
    this.timer = setInterval(() => this.sendNow(), VIDEO_FRAME_INTERVAL_MS);
  }

  /** Sends the current frame even if it was sent before (a new worker has none). */
  refresh(): void {
    this.lastMediaTime = -1;
    this.sendNow();
  }

  stop(): void {
    clearInterval(this.timer);
    if (this.startedPlaying) this.video.pause();
  }

  private sendNow(): void {
    const video = this.video;
    if (video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA || video.videoWidth === 0) return;
    if (video.currentTime === this.lastMediaTime) return;
    let frame: VideoFrame;
    try {
      frame = new VideoFrame(video, { timestamp: Math.round(video.currentTime * 1e6) });
    } catch {
      return;
    }
    this.lastMediaTime = video.currentTime;
    this.send(frame);
  }
}
