import type { ConfidenceMask } from '../gpu/compositor.js';
import { ModelLoadError, SegmenterStalled, type Segmenter } from './segmenter.js';
import { runtimeName, type SegmenterKind, type SegmenterSpec } from './segmenter-factory.js';
import type { FromSegmenterWorker, ToSegmenterWorker } from './segmenter-protocol.js';

interface PendingMask {
  resolve(mask: ConfidenceMask): void;
  reject(error: Error): void;
}

/**
 * The one segmenter worker of this blur worker, shared by every
 * RemoteSegmenter and ended when the last one closes. Reusing it for a model
 * change (the user's, or the frame-budget governor's) saves a thread start and
 * a second download and compile of the 11 MB wasm.
 */
class SegmenterWorker {
  private static current: SegmenterWorker | null = null;
  /** Started and not yet terminated, for `stats.segmenterWorkers` and for the blur worker's stop. */
  static readonly live = new Set<SegmenterWorker>();
  readonly worker: Worker;
  private users = 0;
  private readonly listeners = new Set<(message: FromSegmenterWorker) => void>();
  private readonly crashListeners = new Set<(error: Error) => void>();

  private constructor() {
    // The literal form bundlers recognise (Vite, webpack 5, Parcel): they bundle the segmenter worker with the app.
    this.worker = new Worker(new URL('./segmenter-worker.js', import.meta.url), { type: 'module', name: 'blur-camera segmenter' });
    SegmenterWorker.live.add(this);
    this.worker.addEventListener('message', (event: MessageEvent<FromSegmenterWorker>) => {
      for (const listener of [...this.listeners]) listener(event.data);
    });
    this.worker.addEventListener('error', (event) => {
      event.preventDefault();
      const error = new Error(`the segmenter worker failed: ${event.message || 'it could not be loaded'}`);
      for (const listener of [...this.crashListeners]) listener(error);
      // A crashed worker is not reused.
      if (SegmenterWorker.current === this) SegmenterWorker.current = null;
    });
  }

  static acquire(): SegmenterWorker {
    const shared = (SegmenterWorker.current ??= new SegmenterWorker());
    shared.users++;
    return shared;
  }

  listen(listener: (message: FromSegmenterWorker) => void, onCrash: (error: Error) => void): () => void {
    this.listeners.add(listener);
    this.crashListeners.add(onCrash);
    return () => {
      this.listeners.delete(listener);
      this.crashListeners.delete(onCrash);
    };
  }

  send(message: ToSegmenterWorker, transfer: Transferable[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  release(): void {
    if (--this.users > 0) return;
    this.terminate();
  }

  terminate(): void {
    this.worker.terminate();
    SegmenterWorker.live.delete(this);
    if (SegmenterWorker.current === this) SegmenterWorker.current = null;
  }

  /** A worker whose thread seems stuck: no later start reuses it; it ends when its last user lets go. */
  abandon(): void {
    if (SegmenterWorker.current === this) SegmenterWorker.current = null;
  }
}

let nextSegmenterId = 1;

/** Longest wait for one mask. MediaPipe's slowest here (GPU delegate on llvmpipe) took about 1.5 s; a stall is far longer. */
const SEGMENT_TIMEOUT_MS = 4000;

/** The segmenter worker did not get its segmenter ready in time. */
export class SegmenterStartTimeout extends Error {
  constructor(
    readonly timeoutMs: number,
    kind: SegmenterKind,
  ) {
    super(`the segmenter worker did not start ${runtimeName(kind)} within ${timeoutMs} ms`);
    this.name = 'SegmenterStartTimeout';
  }
}

/**
 * A segmenter in a worker of its own, so that segmentation overlaps compositing
 * on a second core: the blur worker composites frame N while this one
 * segments frame N+1. Images go over transferred, masks come back the same way.
 */
export class RemoteSegmenter implements Segmenter {
  private readonly pending = new Map<number, PendingMask>();
  private nextId = 0;
  private closed = false;
  private readonly unlisten: () => void;

  private constructor(
    private readonly host: SegmenterWorker,
    private readonly id: number,
  ) {
    this.unlisten = host.listen(
      (message) => this.onMessage(message),
      (error) => this.failAll(error),
    );
  }

  /**
   * Starts the segmenter `spec` names in the segmenter worker; rejects with
   * SegmenterStartTimeout when it is not ready within `timeoutMs`, and then
   * ends that worker, whose thread may be stuck.
   */
  static async create(spec: SegmenterSpec, timeoutMs: number, stallAfterMasks?: number): Promise<RemoteSegmenter> {
    const host = SegmenterWorker.acquire();
    // For messages only: the worker's own URL as the blur worker sees it (a bundler may have renamed it).
    const workerUrl = new URL('segmenter-worker.js', self.location.href).href;
    const id = nextSegmenterId++;
    let stop = (): void => undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ready = new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new SegmenterStartTimeout(timeoutMs, spec.kind)), timeoutMs);
      stop = host.listen(
        (message) => {
          if (message.type === 'segmenter-ready' && message.segmenter === id) resolve();
          if (message.type === 'segmenter-failed' && message.segmenter === id) {
            reject(new ModelLoadError(message.url ?? workerUrl, message.message.replace(/ \([^)]*\)$/, '')));
          }
        },
        (error) => reject(new ModelLoadError(workerUrl, `The segmenter worker could not start: ${error.message}`)),
      );
    });
    host.send({ type: 'segmenter-start', segmenter: id, spec, ...(stallAfterMasks !== undefined ? { stallAfterMasks } : {}) });
    try {
      await ready;
    } catch (error) {
      // A worker whose thread seems stuck is not reused.
      if (error instanceof SegmenterStartTimeout) host.abandon();
      // The segmenter worker made nothing for this id: only our share of the worker is left to give back.
      host.release();
      throw error;
    } finally {
      clearTimeout(timer);
      stop();
    }
    return new RemoteSegmenter(host, id);
  }

  segment(image: ImageData, timestampMs: number): Promise<ConfidenceMask> {
    if (this.closed) return Promise.reject(new Error('the segmenter is closed'));
    const id = this.nextId++;
    const pixels = image.data;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.pending.delete(id)) return;
        // No later start shares a stuck thread; it ends when this segmenter closes.
        this.host.abandon();
        reject(new SegmenterStalled(SEGMENT_TIMEOUT_MS));
      }, SEGMENT_TIMEOUT_MS);
      this.pending.set(id, {
        resolve: (mask) => {
          clearTimeout(timer);
          resolve(mask);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.host.send({ type: 'segmenter-run', segmenter: this.id, id, width: image.width, height: image.height, pixels, timestampMs }, [pixels.buffer]);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unlisten();
    this.host.send({ type: 'segmenter-close', segmenter: this.id });
    this.host.release();
    this.failAll(new Error('the segmenter was closed'));
  }

  private onMessage(message: FromSegmenterWorker): void {
    if ((message.type !== 'segmenter-mask' && message.type !== 'segmenter-error') || message.segmenter !== this.id) return;
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

/** Segmenter workers started and not yet terminated. */
export function liveSegmenterWorkers(): number {
  return SegmenterWorker.live.size;
}

/**
 * Ends every segmenter worker, at the blur worker's stop: one still loading a
 * model (a governor trade under way) would otherwise outlive the pipeline
 * until its load finished.
 */
export function terminateSegmenterWorkers(): void {
  for (const host of [...SegmenterWorker.live]) host.terminate();
}
