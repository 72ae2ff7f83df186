/**
 * Decoding a background picture into an ImageBitmap at most
 * MAX_BACKGROUND_SIDE on its long side, refusing one whose header declares
 * more than the pixel or side cap before anything decodes it.
 */

import { readDeclaredSize, type DeclaredSize } from './declared-size.js';
import { BackgroundLoadError } from './load-error.js';
import { loadStep, MAX_BACKGROUND_DECLARED_SIDE, MAX_BACKGROUND_PIXELS, MAX_BACKGROUND_SIDE, SECONDS } from './limits.js';

/** Decodes a picture at most MAX_BACKGROUND_SIDE on its long side. */
export async function decodeWithinMaxSide(source: ImageBitmapSource, width: number, height: number): Promise<ImageBitmap> {
  const scale = Math.min(1, MAX_BACKGROUND_SIDE / Math.max(width, height));
  if (scale >= 1) return createImageBitmap(source);
  return createImageBitmap(source, {
    resizeWidth: Math.max(1, Math.round(width * scale)),
    resizeHeight: Math.max(1, Math.round(height * scale)),
    resizeQuality: 'high',
  });
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
export function decodeBlob(blob: Blob, what: string, signal: AbortSignal): Promise<ImageBitmap> {
  return loadStep(
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
        bitmap = direct ? await decodeWithinMaxSide(blob, declared.width, declared.height) : await createImageBitmap(blob);
      } catch (error) {
        throw new BackgroundLoadError(`The background ${what} is not an image this browser can decode (${blob.type || 'unknown type'}). The background stays blurred.`, { cause: error });
      }
      if (Math.max(bitmap.width, bitmap.height) <= MAX_BACKGROUND_SIDE) return bitmap;
      try {
        return await decodeWithinMaxSide(bitmap, bitmap.width, bitmap.height);
      } finally {
        bitmap.close();
      }
    },
    // A decode cannot be stopped: one that ends after the timeout is closed here.
    (late) => late.close(),
  );
}
