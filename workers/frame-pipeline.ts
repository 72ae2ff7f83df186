import type { Compositor, CompositorTimings } from '../gpu/compositor.js';
import { LatestFrameSlot } from './latest-frame-slot.js';
import { ModelLoadError, type Segmenter } from './segmenter.js';
import { StageTimer } from './stage-timer.js';
import {
  MODEL_INPUT_SIZE,
  serializeError,
  type LiveOptions,
  type PipelineStats,
  type PipelineTestHooks,
  type WorkerToMain,
} from './protocol.js';

const STATS_INTERVAL_MS = 500;

export interface FramePipelineInit {
  readonly readable: ReadableStream<VideoFrame>;
  readonly writable: WritableStream<VideoFrame>;
  readonly compositor: Compositor;
  readonly loadSegmenter: (model: LiveOptions['model']) => Promise<Segmenter>;
  readonly options: LiveOptions;
  readonly testHooks: PipelineTestHooks;
  readonly post: (message: WorkerToMain) => void;
}

/**
 * Reads camera frames, segments and composites them, and writes the results.
 * Fails closed: while no mask exists (still loading, failed, or after a fault)
 * the compositor blurs the whole frame.
 */
export class FramePipeline {
  private readonly slot = new LatestFrameSlot();
  private readonly timer = new StageTimer();
  private readonly reader: ReadableStreamDefaultReader<VideoFrame>;
  private readonly writer: WritableStreamDefaultWriter<VideoFrame>;
  private readonly init: FramePipelineInit;
  private options: LiveOptions;
  private segmenter: Segmenter | null = null;
  private segmenterGeneration = 0;
  private lastSegmentTimestampMs = -1;
  private statsTimer: ReturnType<typeof setInterval> | undefined;
  private running = true;
  private framesIn = 0;
  private framesOut = 0;
  private framesWithoutMask = 0;
  private masks = 0;
  private readonly finished: Promise<void>;

  constructor(init: FramePipelineInit) {
    this.init = init;
    this.options = init.options;
    this.reader = init.readable.getReader();
    this.writer = init.writable.getWriter();
    this.statsTimer = setInterval(() => this.postStats(), STATS_INTERVAL_MS);
    void this.readLoop();
    this.startSegmenter(this.options.model);
    this.finished = this.processLoop();
  }

  setOptions(options: LiveOptions): void {
    const modelChanged = options.model !== this.options.model;
    this.options = options;
    if (modelChanged) this.startSegmenter(options.model);
  }

  stats(): PipelineStats {
    return {
      framesIn: this.framesIn,
      framesOut: this.framesOut,
      framesDropped: this.slot.dropped,
      framesWithoutMask: this.framesWithoutMask,
      masks: this.masks,
      stages: this.timer.summary(),
    };
  }

  /** Stops reading, lets the frame in flight finish, and releases the streams and the segmenter. */
  async stop(): Promise<void> {
    if (!this.running) return this.finished;
    this.running = false;
    clearInterval(this.statsTimer);
    this.slot.end();
    await this.reader.cancel().catch(() => undefined);
    await this.finished;
    await this.writer.close().catch(() => undefined);
    this.segmenterGeneration++;
    this.segmenter?.close();
    this.segmenter = null;
  }

  private startSegmenter(model: LiveOptions['model']): void {
    const generation = ++this.segmenterGeneration;
    // Until the new model answers, the old one's masks would be for the wrong model: blur everything.
    this.segmenter?.close();
    this.segmenter = null;
    this.init.compositor.clearMasks();
    const delay = this.init.testHooks.delaySegmenterMs ?? 0;
    const wait = delay > 0 ? new Promise((resolve) => setTimeout(resolve, delay)) : Promise.resolve();
    void wait
      .then(() => this.init.loadSegmenter(model))
      .then(
        (segmenter) => {
          if (generation !== this.segmenterGeneration || !this.running) segmenter.close();
          else this.segmenter = segmenter;
        },
        (error: unknown) => {
          if (generation !== this.segmenterGeneration || !this.running) return;
          const message = error instanceof ModelLoadError
            ? `${error.message}. The output stays fully blurred. Check that the wasm and model files are served next to blur-camera.js, or set assets-url.`
            : `The segmenter failed to start: ${String(error)}. The output stays fully blurred.`;
          this.init.post({ type: 'error', errorType: 'model-load', message, fatal: false, cause: serializeError(error) });
        },
      );
  }

  private async readLoop(): Promise<void> {
    try {
      for (;;) {
        const { value, done } = await this.reader.read();
        if (done) break;
        this.framesIn++;
        this.slot.put(value);
      }
    } catch {
      // The input was cancelled or errored; the slot's end below wakes the consumer.
    } finally {
      this.slot.end();
    }
  }

  private async processLoop(): Promise<void> {
    let first = true;
    for (;;) {
      const frame = await this.slot.take();
      if (!frame) return;
      let output: VideoFrame | null = null;
      try {
        output = await this.processFrame(frame);
      } catch (error) {
        // A failed frame is dropped rather than passed through: never raw.
        this.init.compositor.clearMasks();
        console.error('blur-camera: a frame failed to process and was dropped', error);
      } finally {
        frame.close();
      }
      if (!output) continue;
      if (!this.running) {
        output.close();
        return;
      }
      try {
        await this.writer.write(output);
        this.framesOut++;
      } catch {
        // The output track was stopped by its consumer; there is nobody to write to.
        return;
      } finally {
        // The generator takes the frame over; closing again is a no-op that guards every path.
        output.close();
      }
      if (first) {
        first = false;
        this.init.post({ type: 'first-frame' });
      }
    }
  }

  private async processFrame(frame: VideoFrame): Promise<VideoFrame> {
    const started = performance.now();
    const timings: CompositorTimings = {};
    const segmenter = this.segmenter;
    const compositor = this.init.compositor;
    if (segmenter) {
      const size = MODEL_INPUT_SIZE[this.options.model];
      const input = await compositor.prepareModelInput(frame, size.width, size.height, timings);
      const segmentStarted = performance.now();
      // MediaPipe's VIDEO mode needs strictly increasing timestamps.
      const timestampMs = Math.max(frame.timestamp / 1000, this.lastSegmentTimestampMs + 1);
      this.lastSegmentTimestampMs = timestampMs;
      // The segmenter may have been swapped while the input was read back.
      if (segmenter === this.segmenter) {
        try {
          const mask = segmenter.segment(input, timestampMs);
          this.timer.record('segment', performance.now() - segmentStarted);
          await compositor.pushMask(mask, timings);
          this.masks++;
        } catch (error) {
          compositor.clearMasks();
          console.error('blur-camera: segmentation failed; this frame is blurred whole', error);
        }
      }
    }
    if (!compositor.hasMask) this.framesWithoutMask++;
    const output = await compositor.render(frame, { sigma: this.options.sigma, view: this.options.view }, timings);
    for (const [stage, ms] of Object.entries(timings)) this.timer.record(stage, ms);
    this.timer.record('total', performance.now() - started);
    return output;
  }

  private postStats(): void {
    this.init.post({ type: 'stats', stats: this.stats() });
  }
}
