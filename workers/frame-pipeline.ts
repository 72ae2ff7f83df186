import type { Compositor, CompositorTimings } from '../gpu/compositor.js';
import { BLUR_BACKGROUND, type Background } from '../gpu/background.js';
import { EDGE_HOLD } from '../gpu/refine-constants.js';
import type { FrameSink } from './frame-sink.js';
import { FrameBudgetGovernor } from './frame-budget-governor.js';
import { liveGpuDevices } from '../gpu/webgpu/webgpu-probe.js';
import { liveSegmenterWorkers } from './remote-segmenter.js';
import { liveCompositeHelpers } from '../gpu/cpu/composite-band-helper.js';
import { LatestFrameSlot } from './latest-frame-slot.js';
import { ModelLoadError, SegmenterStalled, type Segmenter } from './segmenter.js';
import { StageTimer } from './stage-timer.js';
import { serializeError } from '../contract/errors.js';
import { MODEL_INPUT_SIZE, type LiveOptions, type SegmenterRuntime } from '../contract/options.js';
import { type PipelineTestHooks, type WorkerToMain } from '../contract/protocol.js';
import { type PipelineStats } from '../contract/stats.js';

const STATS_INTERVAL_MS = 500;

/** A frame between the two stages, with what stage 1 learned about it. */
interface FrameJob {
  readonly frame: VideoFrame;
  readonly compositor: Compositor;
  readonly started: number;
  readonly stageMs: number;
  readonly timings: CompositorTimings;
  close(): void;
}

export interface FramePipelineInit {
  /** Frames from a stream (insertable streams); without it, frames come through `pushFrame`. */
  readonly readable?: ReadableStream<VideoFrame>;
  readonly sink: FrameSink;
  readonly compositor: Compositor;
  readonly loadSegmenter: (model: LiveOptions['model']) => Promise<Segmenter>;
  /** The runtime of the segmenter that last started (null before one has), for stats. */
  readonly segmenterRuntime: () => SegmenterRuntime | null;
  readonly options: LiveOptions;
  /** What stands behind the person at first; its image is the pipeline's to close. */
  readonly background?: Background;
  /** Whether the frame-budget governor may shed work. */
  readonly adaptive: boolean;
  /** The camera's frame rate from its settings, or null to estimate it from the frames read. */
  readonly inputFrameRate: number | null;
  readonly testHooks: PipelineTestHooks;
  readonly post: (message: WorkerToMain) => void;
  /** Called whenever the pipeline is ready for another frame (pull transports ask the page then). */
  readonly onReady?: () => void;
}

/**
 * Reads camera frames, segments and composites them, and writes the results.
 * Fails closed: while no mask exists (still loading, failed, or after a fault)
 * the compositor blurs the whole frame, and a frame that fails is dropped.
 */
export class FramePipeline {
  private readonly slot = new LatestFrameSlot();
  private readonly timer = new StageTimer();
  private readonly reader: ReadableStreamDefaultReader<VideoFrame> | null;
  private readonly init: FramePipelineInit;
  private compositor: Compositor | null;
  private options: LiveOptions;
  /** The background every compositor gets; its image (if any) is closed when replaced or at stop. */
  private background: Background = BLUR_BACKGROUND;
  private segmenter: Segmenter | null = null;
  /** The model of `segmenter`, the one actually making masks. */
  private runningModel: LiveOptions['model'];
  /** The model the running (or loading) segmenter uses: the user's, or the governor's landscape one. */
  private segmenterModel: LiveOptions['model'];
  private readonly governor: FrameBudgetGovernor;
  private lastMaskSize = '';
  private firstFramePosted = false;
  /** The sink refused a write: its consumer stopped the output track. */
  private outputGone = false;
  private segmenterGeneration = 0;
  private lastSegmentTimestampMs = -1;
  private readonly statsTimer: ReturnType<typeof setInterval>;
  private running = true;
  private framesIn = 0;
  private framesOut = 0;
  private framesWithoutMask = 0;
  private masks = 0;
  private readonly finished: Promise<void>;

  constructor(init: FramePipelineInit) {
    this.init = init;
    this.options = init.options;
    this.segmenterModel = init.options.model;
    this.runningModel = init.options.model;
    const nominalIntervalMs = init.inputFrameRate && init.inputFrameRate > 0 ? 1000 / init.inputFrameRate : undefined;
    this.governor = new FrameBudgetGovernor(init.adaptive, init.testHooks.frameBudgetMs ?? nominalIntervalMs, init.testHooks.governorLevel);
    this.compositor = init.compositor;
    if (init.background) this.setBackground(init.background);
    this.reader = init.readable ? init.readable.getReader() : null;
    this.statsTimer = setInterval(() => this.postStats(), STATS_INTERVAL_MS);
    if (this.reader) void this.readLoop(this.reader);
    // The governor's model from the start: a level pinned by a test hook would otherwise load the user's model first, then trade.
    this.startSegmenter(this.governor.model(this.segmenterModel), true);
    this.finished = this.processLoop();
  }

  /** A frame from a pull transport; the pipeline owns it from here. */
  pushFrame(frame: VideoFrame): void {
    if (!this.running) {
      frame.close();
      return;
    }
    const usable = withUsableTimestamp(frame);
    this.countInput(usable.timestamp);
    this.slot.put(usable);
  }

  setOptions(options: LiveOptions): void {
    const modelChanged = options.model !== this.options.model;
    this.options = options;
    // The old model keeps masking until the new one has loaded: forgetting its masks blurred the person whole meanwhile.
    if (modelChanged) this.startSegmenter(this.governor.model(options.model), false);
  }

  /**
   * A new background, from the next rendered frame on. The previous image is
   * closed now: the compositor has fitted it already or never will (it keeps
   * no reference it could draw from later). Leaving `none` forgets the masks,
   * which were not kept up to date while the effect was off, so the next
   * frames are blurred whole until a new mask exists.
   */
  setBackground(background: Background): void {
    const previous = this.background;
    if (!this.running) {
      closeBackground(background);
      return;
    }
    this.background = background;
    this.compositor?.setBackground(background);
    if (previous.kind === 'none' && background.kind !== 'none') this.compositor?.clearMasks();
    if (previous.kind === 'image' && (background.kind !== 'image' || background.image !== previous.image)) closeBackground(previous);
  }

  /**
   * Swaps the compositor after a GPU fault. Until the new one runs, frames are
   * dropped (never passed through), and the new one starts without a mask, so
   * its first frames are blurred whole. A null compositor drops every frame.
   */
  replaceCompositor(compositor: Compositor | null, restartSegmenter: boolean): void {
    this.compositor = compositor;
    compositor?.setBackground(this.background);
    if (restartSegmenter) this.startSegmenter(this.segmenterModel, true);
  }

  stats(): PipelineStats {
    return {
      framesIn: this.framesIn,
      framesOut: this.framesOut,
      framesDropped: this.slot.dropped,
      framesWithoutMask: this.framesWithoutMask,
      masks: this.masks,
      background: this.background.kind,
      adaptation: { ...this.governor.adaptation(this.options.model), model: this.runningModel },
      compositor: this.compositor?.name ?? null,
      gpuBytes: this.compositor?.gpuBytes ?? null,
      frameRoutes: this.compositor?.frameRoutes ?? null,
      gpuDevices: liveGpuDevices(),
      segmenter: this.init.segmenterRuntime(),
      segmenterWorkers: liveSegmenterWorkers(),
      compositeWorkers: liveCompositeHelpers(),
      stages: this.timer.summary(),
    };
  }

  /** Stops reading, lets the frame in flight finish, and releases the streams and the segmenter. */
  async stop(): Promise<void> {
    if (!this.running) return this.finished;
    this.running = false;
    clearInterval(this.statsTimer);
    this.slot.end();
    await this.reader?.cancel().catch(() => undefined);
    await this.finished;
    await this.init.sink.close();
    this.segmenterGeneration++;
    this.segmenter?.close();
    this.segmenter = null;
    closeBackground(this.background);
    this.background = BLUR_BACKGROUND;
    this.compositor?.setBackground(BLUR_BACKGROUND);
  }

  /**
   * Loads a segmenter for `model`. With `forgetMasks` (a new backend, or a
   * stuck segmenter) the old one stops now and frames are blurred whole until
   * the new one answers. Without it (the user's new model, or the governor
   * trading models) the old one keeps segmenting until the new one is ready,
   * so no frame loses its mask.
   */
  private startSegmenter(model: LiveOptions['model'], forgetMasks: boolean): void {
    const generation = ++this.segmenterGeneration;
    this.segmenterModel = model;
    if (forgetMasks) {
      this.segmenter?.close();
      this.segmenter = null;
      this.compositor?.clearMasks();
    }
    const delay = this.init.testHooks.delaySegmenterMs ?? 0;
    const wait = delay > 0 ? new Promise((resolve) => setTimeout(resolve, delay)) : Promise.resolve();
    void wait
      .then(() => this.init.loadSegmenter(model))
      .then(
        (segmenter) => {
          if (generation !== this.segmenterGeneration || !this.running) {
            segmenter.close();
            return;
          }
          this.segmenter?.close();
          this.segmenter = segmenter;
          this.runningModel = model;
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

  /** A segmenter that gave no mask in time is replaced by a new one on a new thread; frames meanwhile are blurred whole. */
  private restartStalledSegmenter(error: SegmenterStalled): void {
    const message = `The segmenter stopped answering (no mask in ${error.timeoutMs} ms); restarted it. The frames meanwhile were blurred whole.`;
    this.init.post({ type: 'error', errorType: 'worker-crashed', message, fatal: false, recovered: true });
    this.startSegmenter(this.segmenterModel, true);
  }

  private async readLoop(reader: ReadableStreamDefaultReader<VideoFrame>): Promise<void> {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const frame = withUsableTimestamp(value);
        this.countInput(frame.timestamp);
        this.slot.put(frame);
      }
    } catch {
      // The input errored; treated as its end below.
    } finally {
      this.slot.end();
    }
    // The camera track ended under us (unplugged, or track.stop() on the source, which fires no `ended`).
    if (this.running) {
      this.init.post({ type: 'error', errorType: 'camera-ended', message: 'The camera track ended. Reconnect the camera, then call start().', fatal: true });
    }
  }

  /**
   * Two stages, one frame in each at most. Stage 1 readies the model's input and
   * gets the mask; stage 2 composites and writes. With a compositor that
   * overlaps (and the segmenter on its own thread), stage 1 works on frame N+1
   * while stage 2 composites frame N; otherwise they run one after the other.
   * Stage 1 takes a new frame only when stage 2 has taken the last one, so no
   * segmentation is wasted on a frame that is then dropped.
   */
  private async processLoop(): Promise<void> {
    const renderQueue = new LatestFrameSlot<FrameJob>();
    let renderLoop: Promise<void> | null = null;
    try {
      for (;;) {
        await renderQueue.whenEmpty();
        if (this.outputGone) return;
        this.init.onReady?.();
        const frame = await this.slot.take();
        if (!frame) return;
        // A pull transport asks for the next frame now, so that it travels while this one is segmented (in WebKit the round trip
        // through the page took as long as the work: 12 fps at 720p on tier 4 without this).
        this.init.onReady?.();
        const job = await this.segmentStage(frame);
        if (!job) continue;
        if (job.compositor.overlaps) {
          renderLoop ??= this.renderLoop(renderQueue);
          renderQueue.put(job);
        } else {
          await this.renderStage(job);
        }
      }
    } finally {
      renderQueue.end();
      await renderLoop;
    }
  }

  private async renderLoop(queue: LatestFrameSlot<FrameJob>): Promise<void> {
    for (;;) {
      const job = await queue.take();
      if (!job) return;
      await this.renderStage(job);
      if (this.outputGone) {
        queue.end();
        return;
      }
    }
  }

  /** Stage 1: the model's input and, on frames the governor picks, a new mask. Null when the frame was dropped. */
  private async segmentStage(frame: VideoFrame): Promise<FrameJob | null> {
    const compositor = this.compositor;
    if (!compositor) {
      frame.close();
      return null;
    }
    const started = performance.now();
    const timings: CompositorTimings = {};
    // With the effect off (the user's choice) no mask is needed: the model rests.
    const segmenter = this.segmenter && this.background.kind !== 'none' && this.governor.shouldSegment(compositor.hasMask) ? this.segmenter : null;
    try {
      if (segmenter) {
        const size = MODEL_INPUT_SIZE[this.runningModel];
        const input = await compositor.prepareModelInput(frame, size.width, size.height, timings);
        // The segmenter takes the pixels (transferred to its thread); the guided refinement needs them too, as its guide.
        // The refinement is fixed here, so that the mask is refined the way its guide was kept for.
        const refinement = this.options.refinement;
        const guide = refinement === 'guided' ? new ImageData(new Uint8ClampedArray(input.data), input.width, input.height) : input;
        const segmentStarted = performance.now();
        // MediaPipe's VIDEO mode needs strictly increasing timestamps.
        const timestampMs = Math.max(frame.timestamp / 1000, this.lastSegmentTimestampMs + 1);
        this.lastSegmentTimestampMs = timestampMs;
        // The segmenter or compositor may have been swapped while the input was read back.
        if (segmenter === this.segmenter && compositor === this.compositor) {
          try {
            const mask = await segmenter.segment(input, timestampMs);
            this.timer.record('segment', performance.now() - segmentStarted);
            if (compositor === this.compositor) {
              // A mask of another size (the governor changed models) must not be averaged with the old ones.
              const maskSize = `${mask.width}x${mask.height}`;
              if (maskSize !== this.lastMaskSize) compositor.clearMasks();
              this.lastMaskSize = maskSize;
              await compositor.pushMask(mask, guide, refinement, timings);
              // Its helper threads start now that the segmenter runs, well after the blur check (see Compositor).
              compositor.startHelperThreads?.();
              this.masks++;
              // The first mask is told at once, not at the next stats tick (up to 500 ms later): startup is timed by it.
              if (this.masks === 1) this.postStats();
            }
          } catch (error) {
            // A segmenter closed by a model trade rejects the call it had in flight: the last mask still fits this
            // frame, as on a frame the governor skips. Clearing it flashed one frame blurred whole at every trade.
            if (segmenter === this.segmenter) {
              compositor.clearMasks();
              if (error instanceof SegmenterStalled) this.restartStalledSegmenter(error);
              else console.error('blur-camera: segmentation failed; this frame is blurred whole', error);
            }
          }
        }
      }
    } catch (error) {
      // A failed frame is dropped rather than passed through: never raw.
      frame.close();
      compositor.clearMasks();
      console.error('blur-camera: a frame failed to process and was dropped', error);
      return null;
    }
    return { frame, compositor, started, stageMs: performance.now() - started, timings, close: () => frame.close() };
  }

  /** Stage 2: composite, write, and tell the governor what the frame cost. */
  private async renderStage(job: FrameJob): Promise<void> {
    const { frame, compositor, timings } = job;
    const started = performance.now();
    let output: VideoFrame | null = null;
    try {
      if (compositor !== this.compositor) return;
      if (!compositor.hasMask && this.background.kind !== 'none') this.framesWithoutMask++;
      const { sigma, view, refinement, lightWrap } = this.options;
      output = await compositor.render(frame, { sigma, view, refinement, lightWrap, edgeHold: this.init.testHooks.edgeHold ?? EDGE_HOLD }, timings);
    } catch (error) {
      // A failed frame is dropped rather than passed through: never raw.
      compositor.clearMasks();
      if (compositor === this.compositor) console.error('blur-camera: a frame failed to process and was dropped', error);
    } finally {
      frame.close();
    }
    if (!output) return;
    for (const [stage, ms] of Object.entries(timings)) this.timer.record(stage, ms);
    this.timer.record('total', performance.now() - job.started);
    const holdFirstMs = this.firstFramePosted ? 0 : (this.init.testHooks.delayFirstOutputMs ?? 0);
    if (holdFirstMs > 0) await new Promise((resolve) => setTimeout(resolve, holdFirstMs));
    if (!this.running) {
      output.close();
      return;
    }
    try {
      await this.init.sink.write(output);
      this.framesOut++;
    } catch {
      // The output track was stopped by its consumer; there is nobody to write to.
      this.outputGone = true;
      return;
    }
    // The test hook's hold is not work: the governor must not see it.
    const renderMs = performance.now() - started - holdFirstMs;
    // Overlapped, a frame costs the slower stage; in sequence, both.
    this.adapt(compositor.overlaps ? Math.max(job.stageMs, renderMs) : job.stageMs + renderMs);
    if (!this.firstFramePosted) {
      this.firstFramePosted = true;
      this.init.post({ type: 'first-frame' });
    }
  }

  /** Feeds the governor, and swaps the segmenter's model when its level asks for another. */
  private adapt(busyMs: number): void {
    this.governor.record(busyMs, performance.now(), this.options.model);
    const wanted = this.governor.model(this.options.model);
    if (wanted !== this.segmenterModel && this.segmenter) this.startSegmenter(wanted, false);
  }

  /** Counts a camera frame in. The first is told at once: the main thread's first-frame deadline must know the camera sends, even while this thread is busy with that frame. */
  private countInput(timestampUs: number): void {
    this.framesIn++;
    this.governor.noteInput(timestampUs);
    if (this.framesIn === 1) this.postStats();
  }

  private postStats(): void {
    this.init.post({ type: 'stats', stats: this.stats() });
  }
}

/**
 * The frame itself, or, when its timestamp is no usable number, a copy stamped
 * with the worker's clock (the original is closed). WebKit stamps the frames of
 * a captured canvas with −2⁶³, which the VideoFrame constructor then refuses
 * for the output, and which the segmenter cannot order.
 */
function withUsableTimestamp(frame: VideoFrame): VideoFrame {
  if (Number.isSafeInteger(frame.timestamp) && frame.timestamp >= 0) return frame;
  try {
    return new VideoFrame(frame, { timestamp: Math.round(performance.now() * 1000) });
  } finally {
    frame.close();
  }
}

function closeBackground(background: Background): void {
  if (background.kind === 'image') background.image.close();
}
