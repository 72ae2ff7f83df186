/// <reference lib="webworker" />
import { createSegmenter } from './segmenter-factory.js';
import { ModelLoadError, type Segmenter } from './segmenter.js';
import type { FromSegmenterWorker, ToSegmenterWorker } from './segmenter-protocol.js';

declare const self: DedicatedWorkerGlobalScope;

/** The segmenters this worker runs, by the blur worker's id for them, with what they were made from. */
const segmenters = new Map<number, { segmenter: Segmenter; key: string; masksLeft: number }>();
/**
 * A closed segmenter is kept, one per runtime and options, and handed to
 * the next start that asks for the same: the governor trades the general and
 * landscape models back and forth, and each new MediaPipe task would otherwise
 * instantiate another wasm module (about 30–50 MB that the browser is slow to
 * give back). At most one per model, so memory stays bounded.
 */
const parked = new Map<string, Segmenter>();

function keyOf(message: Extract<ToSegmenterWorker, { type: 'segmenter-start' }>): string {
  return JSON.stringify(message.spec);
}
/** Ids closed while still loading: their segmenter is closed as soon as it exists. */
const closedWhileLoading = new Set<number>();

function reply(message: FromSegmenterWorker, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

/** The segmenter worker's side: loads a segmenter per model, then turns each image into a mask, one at a time. */
export async function handleSegmenterMessage(message: ToSegmenterWorker): Promise<void> {
  switch (message.type) {
    case 'segmenter-start':
      try {
        const key = keyOf(message);
        const reused = parked.get(key);
        parked.delete(key);
        const segmenter = reused ?? (await createSegmenter(message.spec.kind, message.spec.options));
        if (closedWhileLoading.delete(message.segmenter)) {
          park(key, segmenter);
          return;
        }
        segmenters.set(message.segmenter, { segmenter, key, masksLeft: message.stallAfterMasks ?? Infinity });
        reply({ type: 'segmenter-ready', segmenter: message.segmenter });
      } catch (error) {
        closedWhileLoading.delete(message.segmenter);
        reply({ type: 'segmenter-failed', segmenter: message.segmenter, url: error instanceof ModelLoadError ? error.url : null, message: error instanceof Error ? error.message : String(error) });
      }
      return;
    case 'segmenter-run': {
      const entry = segmenters.get(message.segmenter);
      const segmenter = entry?.segmenter;
      if (!entry || !segmenter) {
        reply({ type: 'segmenter-error', segmenter: message.segmenter, id: message.id, message: 'the segmenter is not loaded' });
        return;
      }
      // Test hook: stuck, as MediaPipe on a wedged GPU would be; the blur worker's timeout must notice.
      if (entry.masksLeft-- <= 0) return;
      try {
        const image = new ImageData(message.pixels as Uint8ClampedArray<ArrayBuffer>, message.width, message.height);
        // The blur worker sends one run at a time, and each runtime copies the image in before its first await.
        const mask = await segmenter.segment(image, message.timestampMs);
        reply({ type: 'segmenter-mask', segmenter: message.segmenter, id: message.id, width: mask.width, height: mask.height, data: mask.data }, [mask.data.buffer]);
      } catch (error) {
        reply({ type: 'segmenter-error', segmenter: message.segmenter, id: message.id, message: error instanceof Error ? error.message : String(error) });
      }
      return;
    }
    case 'segmenter-close': {
      const entry = segmenters.get(message.segmenter);
      if (entry) {
        segmenters.delete(message.segmenter);
        park(entry.key, entry.segmenter);
      } else {
        closedWhileLoading.add(message.segmenter);
      }
      return;
    }
  }
}

function park(key: string, segmenter: Segmenter): void {
  if (parked.has(key)) segmenter.close();
  else parked.set(key, segmenter);
}
