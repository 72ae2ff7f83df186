import type { ConfidenceMask } from '../gpu/compositor.js';
import type { AssetUrls, SegmentationModel } from './protocol.js';
import { ModelLoadError, type Segmenter } from './segmenter.js';
import type { FromSegmenterWorker, ToSegmenterWorker } from './segmenter-protocol.js';

interface PendingMask {
  resolve(mask: ConfidenceMask): void;
  reject(error: Error): void;
}

/**
 * MediaPipe in a worker of its own, so that segmentation overlaps compositing
 * on a second core: the blur worker composites frame N while this one
 * segments frame N+1. Images go over transferred, masks come back the same way.
 */
export class RemoteSegmenter implements Segmenter {
  private readonly pending = new Map<number, PendingMask>();
  private nextId = 0;
  private closed = false;

  private constructor(private readonly worker: Worker) {
    worker.addEventListener('message', (event: MessageEvent<FromSegmenterWorker>) => this.onMessage(event.data));
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      this.failAll(new Error(`the segmenter worker crashed: ${event.message}`));
    });
  }

  static async create(workerUrl: string, assets: AssetUrls, model: SegmentationModel, delegate: 'CPU' | 'GPU'): Promise<RemoteSegmenter> {
    const worker = new Worker(workerUrl, { type: 'module', name: 'blur-camera segmenter' });
    const ready = new Promise<void>((resolve, reject) => {
      const onMessage = (event: MessageEvent<FromSegmenterWorker>): void => {
        const message = event.data;
        if (message.type === 'segmenter-ready') resolve();
        else if (message.type === 'segmenter-failed') reject(new ModelLoadError(message.url ?? workerUrl, message.message.replace(/ \([^)]*\)$/, '')));
        else return;
        worker.removeEventListener('message', onMessage);
      };
      worker.addEventListener('message', onMessage);
      worker.addEventListener('error', (event) => reject(new ModelLoadError(workerUrl, `The segmenter worker could not start: ${event.message || 'load failed'}`)), { once: true });
    });
    const start: ToSegmenterWorker = { type: 'segmenter-start', assets, model, delegate };
    worker.postMessage(start);
    try {
      await ready;
    } catch (error) {
      worker.terminate();
      throw error;
    }
    return new RemoteSegmenter(worker);
  }

  segment(image: ImageData, timestampMs: number): Promise<ConfidenceMask> {
    if (this.closed) return Promise.reject(new Error('the segmenter is closed'));
    const id = this.nextId++;
    const pixels = image.data;
    const run: ToSegmenterWorker = { type: 'segmenter-run', id, width: image.width, height: image.height, pixels, timestampMs };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage(run, [pixels.buffer]);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.worker.terminate();
    this.failAll(new Error('the segmenter was closed'));
  }

  private onMessage(message: FromSegmenterWorker): void {
    if (message.type !== 'segmenter-mask' && message.type !== 'segmenter-error') return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.type === 'segmenter-mask') pending.resolve({ width: message.width, height: message.height, data: message.data });
    else pending.reject(new Error(message.message));
  }

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}
