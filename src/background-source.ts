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
 * that cannot hold an image): the caller warns and keeps the previous one.
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
    const inner = /^url\(\s*(['"]?)(.*)\1\s*\)$/i.exec(text)?.[2] ?? text;
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

async function decodeBlob(blob: Blob, what: string): Promise<ImageBitmap> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob);
  } catch (error) {
    throw new BackgroundLoadError(`The background ${what} is not an image this browser can decode (${blob.type || 'unknown type'}).`, { cause: error });
  }
  if (Math.max(bitmap.width, bitmap.height) <= MAX_BACKGROUND_SIDE) return bitmap;
  try {
    return await decode(bitmap, bitmap.width, bitmap.height);
  } finally {
    bitmap.close();
  }
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

/**
 * Loads a parsed background. A URL is fetched with CORS (a server that
 * refuses cross-origin use fails here, not later in the worker), an element
 * is checked for cross-origin taint, and every picture is decoded now, once.
 * Throws BackgroundLoadError with a message naming what failed.
 */
export async function loadBackground(parsed: ParsedBackground, signal: AbortSignal): Promise<LoadedBackground> {
  switch (parsed.kind) {
    case 'blur':
    case 'none':
    case 'colour':
      return parsed;
    case 'url': {
      const name = describeUrl(parsed.url);
      let response: Response;
      try {
        response = await fetch(parsed.url, { mode: 'cors', credentials: 'same-origin', signal });
      } catch (error) {
        if (signal.aborted) throw error;
        throw new BackgroundLoadError(
          `The background image ${name} could not be loaded: the server could not be reached or refused cross-origin use (it needs Access-Control-Allow-Origin). The background stays blurred.`,
          { cause: error },
        );
      }
      if (!response.ok) {
        throw new BackgroundLoadError(`The background image ${name} could not be loaded (HTTP ${response.status}). The background stays blurred.`);
      }
      let blob: Blob;
      try {
        blob = await response.blob();
      } catch (error) {
        if (signal.aborted) throw error;
        throw new BackgroundLoadError(`The background image ${name} could not be read: ${String(error)}. The background stays blurred.`, { cause: error });
      }
      try {
        return { kind: 'image', bitmap: await decodeBlob(blob, `image ${name}`) };
      } catch (error) {
        throw new BackgroundLoadError(`${(error as Error).message.replace(/\.$/, '')}. The background stays blurred.`, { cause: error });
      }
    }
    case 'blob':
      try {
        return { kind: 'image', bitmap: await decodeBlob(parsed.blob, 'Blob') };
      } catch (error) {
        throw new BackgroundLoadError(`${(error as Error).message.replace(/\.$/, '')}. The background stays blurred.`, { cause: error });
      }
    case 'bitmap': {
      // A copy of our own: the page may close its bitmap whenever it likes.
      const { bitmap } = parsed;
      if (bitmap.width === 0 || bitmap.height === 0) throw new BackgroundLoadError('The background ImageBitmap is empty or closed. The background stays blurred.');
      return { kind: 'image', bitmap: await decode(bitmap, bitmap.width, bitmap.height) };
    }
    case 'img': {
      const { img } = parsed;
      const name = describeUrl(img.currentSrc || img.src || 'the <img> element');
      try {
        await img.decode();
      } catch (error) {
        throw new BackgroundLoadError(`The background image ${name} could not be loaded or decoded. The background stays blurred.`, { cause: error });
      }
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
      await videoReady(video, name, signal);
      if (!originClean(video)) {
        throw new BackgroundLoadError(
          `The background video ${name} comes from a server that refuses cross-origin use: serve it with Access-Control-Allow-Origin and set crossorigin on the <video>. The background stays blurred.`,
        );
      }
      return { kind: 'video', video };
    }
  }
}

/** Resolves once the video has a frame to show; rejects if it fails to load. */
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
