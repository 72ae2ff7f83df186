/// <reference lib="webworker" />
import { handleSegmenterMessage } from './segmenter-host.js';
import type { ToSegmenterWorker } from './segmenter-protocol.js';

/**
 * The segmenter worker's entry (dist/segmenter-worker.js): a blur worker whose
 * compositor can overlap starts it beside itself, so that segmentation runs on
 * a second core. It is a file of its own, not a second instance of
 * blur-worker.js, so that it loads no compositor, and no message can reach the
 * wrong handler.
 */
declare const self: DedicatedWorkerGlobalScope;

self.addEventListener('message', (event: MessageEvent<ToSegmenterWorker>) => {
  void handleSegmenterMessage(event.data);
});
