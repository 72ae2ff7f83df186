/// <reference lib="webworker" />
import { MediaPipeSegmenter } from './mediapipe-segmenter.js';
import { ModelLoadError } from './segmenter.js';
import type { FromSegmenterWorker, ToSegmenterWorker } from './segmenter-protocol.js';

declare const self: DedicatedWorkerGlobalScope;

let segmenter: MediaPipeSegmenter | null = null;

function reply(message: FromSegmenterWorker, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

/** The segmenter worker's side: loads MediaPipe once, then turns each image into a mask, one at a time. */
export async function handleSegmenterMessage(message: ToSegmenterWorker): Promise<void> {
  switch (message.type) {
    case 'segmenter-start':
      try {
        segmenter = await MediaPipeSegmenter.create(message.assets, message.model, message.delegate);
        reply({ type: 'segmenter-ready' });
      } catch (error) {
        reply({ type: 'segmenter-failed', url: error instanceof ModelLoadError ? error.url : null, message: error instanceof Error ? error.message : String(error) });
      }
      return;
    case 'segmenter-run': {
      if (!segmenter) {
        reply({ type: 'segmenter-error', id: message.id, message: 'the segmenter is not loaded' });
        return;
      }
      try {
        const image = new ImageData(message.pixels as Uint8ClampedArray<ArrayBuffer>, message.width, message.height);
        const mask = segmenter.segmentNow(image, message.timestampMs);
        reply({ type: 'segmenter-mask', id: message.id, width: mask.width, height: mask.height, data: mask.data }, [mask.data.buffer]);
      } catch (error) {
        reply({ type: 'segmenter-error', id: message.id, message: error instanceof Error ? error.message : String(error) });
      }
      return;
    }
  }
}
