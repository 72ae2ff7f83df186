import type { CompositeBandDone, CompositeBandRequest, FromCompositeBandHelper } from './composite-band-protocol.js';
import type { PersonMask } from './rgba-composite.js';
import type { RgbImage } from './rgb-image.js';

/** The name the helper's worker is started with: the blur worker's script serves bands when it has this name. */
export const COMPOSITE_BAND_WORKER_NAME = 'blur-camera composite band';

/**
 * Longest wait for a band's answer. A band takes 10–15 ms at 720p on this
 * project's 2-core machine; past this the helper is taken for stuck.
 */
const BAND_TIMEOUT_MS = 2000;
/** Longest wait for the helper's script to load and say it is ready; a copy of a script already loaded takes well under 1 s. */
const READY_TIMEOUT_MS = 10000;

/** Checks a band's answer (rows `first` − 1 to the last, as sent) before it is written back; returns why it is wrong, or null. */
export type BandCheck = (band: Uint8ClampedArray) => string | null;

interface PendingBand {
  readonly id: number;
  readonly resolve: (done: CompositeBandDone | null) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * A second thread for the CPU renderer's composite, its most expensive pass
 * (about 20 ms of a 37 ms frame at 720p). The blur worker composites the
 * top of each frame while this helper, a copy of the blur worker started
 * under COMPOSITE_BAND_WORKER_NAME, composites the bottom; without it the
 * whole pipeline is bound by one thread while the other core idles.
 *
 * The rows the helper takes are copied out, not moved, so the frame keeps
 * them: a helper that fails, answers wrongly or not in time is ended, and its
 * rows are composited by the caller (never sent as the camera gave them).
 * Until its script has loaded, and after it failed, `usable` is false and
 * the caller composites every row itself.
 */
export class CompositeBandHelper {
  /** Started and not yet ended, for `stats.compositeWorkers`. */
  static readonly live = new Set<CompositeBandHelper>();
  private readonly worker: Worker;
  private ready = false;
  private ended = false;
  private nextId = 1;
  private pending: PendingBand | null = null;
  /** The buffers of the last answer, sent again with the next band so that no frame allocates. */
  private spare: { rgba: Uint8ClampedArray<ArrayBuffer>; blurred: Float32Array<ArrayBuffer>; mask: Float32Array<ArrayBuffer> | null } | null = null;
  private forgetShown = false;
  private silenceAfterBands: number | undefined;
  private bandsSent = 0;
  private checked = false;
  private readyTimer: ReturnType<typeof setTimeout> | undefined;

  /** Starts a helper, or returns null (and says why on the console) when its worker cannot start. */
  static start(startWorker: () => Worker, silenceAfterBands?: number): CompositeBandHelper | null {
    try {
      return new CompositeBandHelper(startWorker(), silenceAfterBands);
    } catch (error) {
      console.info(`blur-camera: the CPU renderer's second thread did not start (${String(error)}); compositing on one thread.`);
      return null;
    }
  }

  private constructor(worker: Worker, silenceAfterBands: number | undefined) {
    this.worker = worker;
    this.silenceAfterBands = silenceAfterBands;
    CompositeBandHelper.live.add(this);
    this.readyTimer = setTimeout(() => this.fail(`it was not ready in ${READY_TIMEOUT_MS / 1000} s`), READY_TIMEOUT_MS);
    worker.addEventListener('message', (event: MessageEvent<FromCompositeBandHelper>) => this.onMessage(event.data));
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      this.fail(`its worker failed (${event.message || 'it could not be loaded'})`);
    });
  }

  /** Loaded, not failed, and no band in flight: a band sent now is answered at once. */
  get usable(): boolean {
    return this.ready && !this.ended && this.pending === null;
  }

  /** Whether a band of this helper's has passed the caller's check: until one has, each band is sent with one. */
  get trusted(): boolean {
    return this.checked;
  }

  /** Whether the helper was ended (failed, or destroyed): the caller lets go of it. */
  get isEnded(): boolean {
    return this.ended;
  }

  /** The caller forgot the weights it showed: the helper forgets its rows' too, with the next band. */
  forgetShownWeights(): void {
    this.forgetShown = true;
  }

  /**
   * Sends rows `first` to `height` − 1 of `rgba` (with the row above, which
   * the guided weight reads) to be composited. Everything is copied before
   * this returns, so the caller may overwrite `rgba`, `blurred` and the mask
   * at once. `check`, where given, must pass before the answer is written
   * back; a band that fails it ends the helper. Resolves to the milliseconds
   * the helper took, once those rows of `rgba` hold the composite, or to null
   * when the helper failed and they still hold the frame.
   */
  composite(rgba: Uint8ClampedArray, width: number, height: number, first: number, blurred: RgbImage, downsample: number, mask: PersonMask | null, edgeHold: number, check?: BandCheck): Promise<number | null> {
    if (!this.usable || first < 1 || first >= height) return Promise.resolve(null);
    const rowBytes = width * 4;
    const bandBytes = (height - first + 1) * rowBytes;
    const blurredValues = blurred.width * blurred.height * 3;
    const maskValues = mask ? mask.width * mask.height * (mask.kind === 'guided' ? 4 : 1) : 0;
    const spare = this.spare;
    this.spare = null;
    const bandRgba = spare && spare.rgba.length === bandBytes ? spare.rgba : new Uint8ClampedArray(bandBytes);
    bandRgba.set(rgba.subarray((first - 1) * rowBytes, height * rowBytes));
    const blurredData = spare && spare.blurred.length >= blurredValues ? spare.blurred : new Float32Array(blurredValues);
    blurredData.set(blurred.data.subarray(0, blurredValues));
    let maskData: Float32Array<ArrayBuffer> | null = null;
    if (mask) {
      maskData = spare?.mask && spare.mask.length >= maskValues ? spare.mask : new Float32Array(maskValues);
      maskData.set(mask.data.subarray(0, maskValues));
    }
    const id = this.nextId++;
    this.bandsSent++;
    const request: CompositeBandRequest = {
      type: 'composite-band',
      id,
      width,
      height,
      first,
      last: height,
      rgba: bandRgba,
      blurred: { width: blurred.width, height: blurred.height, data: blurredData },
      downsample,
      mask: mask && maskData ? { kind: mask.kind, width: mask.width, height: mask.height, data: maskData } : null,
      edgeHold,
      forgetShownWeights: this.forgetShown,
      ...(this.silenceAfterBands !== undefined && this.bandsSent > this.silenceAfterBands ? { goSilent: true } : {}),
    };
    this.forgetShown = false;
    const transfer: Transferable[] = [bandRgba.buffer, blurredData.buffer];
    if (maskData) transfer.push(maskData.buffer);
    const answer = new Promise<CompositeBandDone | null>((resolve) => {
      const timer = setTimeout(() => this.fail(`it gave no answer in ${BAND_TIMEOUT_MS / 1000} s`), BAND_TIMEOUT_MS);
      this.pending = { id, resolve, timer };
    });
    try {
      this.worker.postMessage(request, transfer);
    } catch (error) {
      this.fail(`a band could not be sent (${String(error)})`);
    }
    return answer.then((done) => {
      if (!done) return null;
      const wrong = done.rgba.length !== bandBytes ? 'it answered with a band of the wrong size' : (check?.(done.rgba) ?? null);
      if (wrong) {
        this.fail(wrong);
        return null;
      }
      if (check) this.checked = true;
      rgba.set(done.rgba.subarray(rowBytes), first * rowBytes);
      this.spare = { rgba: done.rgba, blurred: done.blurredData, mask: done.maskData };
      return done.ms;
    });
  }

  /** Ends the helper's thread; a band in flight is answered false. Safe to call twice. */
  destroy(): void {
    this.end();
  }

  private onMessage(message: FromCompositeBandHelper): void {
    if (message.type === 'composite-band-ready') {
      clearTimeout(this.readyTimer);
      this.ready = true;
      return;
    }
    const pending = this.pending;
    if (!pending || message.id !== pending.id) return;
    if (message.type === 'composite-band-failed') {
      this.fail(`it failed a band (${message.message})`);
      return;
    }
    clearTimeout(pending.timer);
    this.pending = null;
    pending.resolve(message);
  }

  /** A helper that failed once is not trusted again: the renderer composites on one thread from here on. */
  private fail(reason: string): void {
    if (this.ended) return;
    console.warn(`blur-camera: the CPU renderer's second thread was stopped: ${reason}. Every row is composited on one thread from now on; nothing unblurred was sent.`);
    this.end();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.readyTimer);
    this.worker.terminate();
    CompositeBandHelper.live.delete(this);
    const pending = this.pending;
    this.pending = null;
    this.spare = null;
    if (pending) {
      clearTimeout(pending.timer);
      pending.resolve(null);
    }
  }
}

/** Composite helpers this worker runs now. */
export function liveCompositeHelpers(): number {
  return CompositeBandHelper.live.size;
}
