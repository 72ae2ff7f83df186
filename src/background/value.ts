/**
 * What a page may set as the `background` option, and how a value is read
 * without loading anything: a keyword, a CSS colour, an image URL, or a
 * picture or video the page already has.
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
