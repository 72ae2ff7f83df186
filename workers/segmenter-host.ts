/// <reference lib="webworker" />
import { MediaPipeSegmenter } from './mediapipe-segmenter.js';
import { ModelLoadError } from './segmenter.js';
import type { FromSegmenterWorker, ToSegmenterWorker } from './segmenter-protocol.js';

declare const self: DedicatedWorkerGlobalScope;

/** The segmenters this worker runs, by the blur worker's id for them. */
const segmenters = new Map<number, MediaPipeSegmenter>();
/** Ids closed while still loading: their segmenter is closed as soon as it exists. */
const closedWhileLoading = new Set<number>();

function reply(message: FromSegmenterWorker, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

/** The segmenter worker's side: loads MediaPipe per model, then turns each image into a mask, one at a time. */
export async function handleSegmenterMessage(message: ToSegmenterWorker): Promise<void> {
  switch (message.type) {
    case 'segmenter-start':
      try {
        const segmenter = await MediaPipeSegmenter.create(message.assets, message.model, message.delegate);
        if (closedWhileLoading.delete(message.segmenter)) {
          segmenter.close();
          return;
        }
        segmenters.set(message.segmenter, segmenter);
        reply({ type: 'segmenter-ready', segmenter: message.segmenter });
      } catch (error) {
        closedWhileLoading.delete(message.segmenter);
        reply({ type: 'segmenter-failed', segmenter: message.segmenter, url: error instanceof ModelLoadError ? error.url : null, message: error instanceof Error ? error.message : String(error) });
      }
      return;
    case 'segmenter-run': {
      const segmenter = segmenters.get(message.segmenter);
      if (!segmenter) {
        reply({ type: 'segmenter-error', segmenter: message.segmenter, id: message.id, message: 'the segmenter is not loaded' });
        return;
      }
      try {
        const image = new ImageData(message.pixels as Uint8ClampedArray<ArrayBuffer>, message.width, message.height);
        const mask = segmenter.segmentNow(image, message.timestampMs);
        reply({ type: 'segmenter-mask', segmenter: message.segmenter, id: message.id, width: mask.width, height: mask.height, data: mask.data }, [mask.data.buffer]);
      } catch (error) {
        reply({ type: 'segmenter-error', segmenter: message.segmenter, id: message.id, message: error instanceof Error ? error.message : String(error) });
      }
      return;
    }
    case 'segmenter-close': {
      const segmenter = segmenters.get(message.segmenter);
      if (segmenter) {
        segmenters.delete(message.segmenter);
        segmenter.close();
      } else {
        closedWhileLoading.add(message.segmenter);
      }
      return;
    }
  }
}
