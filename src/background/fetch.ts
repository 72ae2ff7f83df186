/**
 * The bounded fetch of a background URL: each of the fetch and its body gives
 * up after BACKGROUND_LOAD_TIMEOUT_MS, the body is capped at
 * MAX_BACKGROUND_BYTES, and a same-origin URL may not be redirected away.
 */

import { BackgroundLoadError, describeUrl } from './load-error.js';
import { loadStep, MAX_BACKGROUND_BYTES, SECONDS } from './limits.js';

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
 * Fetches an image URL's file, not yet decoded: each of the fetch and the body
 * gives up after BACKGROUND_LOAD_TIMEOUT_MS, the body is capped at
 * MAX_BACKGROUND_BYTES, and a same-origin URL may not be redirected away.
 * Throws BackgroundLoadError, or the signal's reason when it aborts.
 */
export async function fetchBackground(url: string, signal: AbortSignal): Promise<Blob> {
  const name = describeUrl(url);
  const response = await loadStep(
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
  return loadStep(
    signal,
    `The background image ${name} did not arrive within ${SECONDS} s. The background stays blurred.`,
    (stepSignal) => readCapped(response, name, stepSignal),
  );
}
