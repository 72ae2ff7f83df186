/**
 * Turns a parsed background into what the worker gets: a URL is fetched and
 * decoded, a Blob or a picture is decoded, an element is waited for and
 * checked for cross-origin taint; a keyword or a colour goes as it is.
 */

import { decodeBlob, decodeWithinMaxSide } from './decode.js';
import { fetchBackground } from './fetch.js';
import { loadStep, SECONDS } from './limits.js';
import { BackgroundLoadError, describeUrl } from './load-error.js';
import type { ParsedBackground } from './value.js';

/** A background ready for the worker: a decoded picture the processor owns, or a video to take frames from. */
export type LoadedBackground =
  | { readonly kind: 'blur' }
  | { readonly kind: 'none' }
  | { readonly kind: 'colour'; readonly rgb: readonly [number, number, number] }
  | { readonly kind: 'image'; readonly bitmap: ImageBitmap }
  | { readonly kind: 'video'; readonly video: HTMLVideoElement };

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
    case 'url': {
      const blob = await fetchBackground(parsed.url, signal);
      return { kind: 'image', bitmap: await decodeBlob(blob, `image ${describeUrl(parsed.url)}`, signal) };
    }
    case 'blob':
      return { kind: 'image', bitmap: await decodeBlob(parsed.blob, 'Blob', signal) };
    case 'bitmap': {
      // A copy of our own: the page may close its bitmap whenever it likes.
      const { bitmap } = parsed;
      if (bitmap.width === 0 || bitmap.height === 0) throw new BackgroundLoadError('The background ImageBitmap is empty or closed. The background stays blurred.');
      return { kind: 'image', bitmap: await decodeWithinMaxSide(bitmap, bitmap.width, bitmap.height) };
    }
    case 'img': {
      const { img } = parsed;
      const name = describeUrl(img.currentSrc || img.src || 'the <img> element');
      // decode() waits for the load too; it cannot be stopped, only no longer waited for.
      await loadStep(signal, `The background image ${name} did not load within ${SECONDS} s. The background stays blurred.`, async () => {
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
      return { kind: 'image', bitmap: await decodeWithinMaxSide(img, img.naturalWidth, img.naturalHeight) };
    }
    case 'video': {
      const { video } = parsed;
      const name = describeUrl(video.currentSrc || video.src || 'the <video> element');
      await loadStep(
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
