import type { LiveOptions, MaskRefinement, OutputView, SegmentationModel } from '../contract/options.js';
import type { PipelineStats } from '../contract/stats.js';
import { BackgroundController } from './background/controller.js';
import type { BackgroundValue } from './background/value.js';
import { BlurError } from './blur-error.js';
import { liveOptionsFrom, processorSettings, type BlurProcessorOptions, type ProcessorSettings } from './blur-processor-options.js';
import type { Tier } from './capability-ladder.js';
import type { BackgroundEffect, BlurProcessorEventMap, TierChangeDetail } from './events.js';
import { normalizeLightWrap, normalizeModel, normalizeRefinement, normalizeSigma, normalizeView } from './option-values.js';
import { EMPTY_STATS, PipelineRun } from './pipeline-run.js';
import { wasReportedByWorker } from './worker-errors.js';

export type { BlurProcessorOptions, TierChangeDetail };

/**
 * The engine without the camera: takes any video MediaStreamTrack and gives
 * back a track with the background blurred, processed in a dedicated worker.
 * It never stops the input track; that belongs to the caller. It holds the
 * options and the background (a `BackgroundController`), and owns start and
 * stop: each start makes a `PipelineRun` (tier, transport, supervised worker).
 *
 * @fires tierchange - the pipeline picked, or stepped down to, a tier
 * @fires error - something failed; `detail.type` says what
 * @fires ended - the consumer stopped the processed track, and the processor stopped with it
 * @fires effectchange - what the worker renders behind the person changed (`blur`, `none`, `replaced`)
 */
export class BlurProcessor extends EventTarget {
  private readonly input: MediaStreamTrack;
  private readonly settings: ProcessorSettings;
  private liveOptions: LiveOptions;
  private readonly backgrounds = new BackgroundController({
    send: (message, transfer) => this.run?.send(message, transfer) ?? false,
    onEffectChange: (effect) => this.dispatchEvent(new CustomEvent('effectchange', { detail: { effect } })),
    onError: (detail) => this.dispatchEvent(new CustomEvent('error', { detail })),
    stopping: () => this.stopping !== null,
  });
  /** The latest run; kept after stop() so that `tier` and `stats` still say how it ended. */
  private run: PipelineRun | null = null;
  private starting: Promise<MediaStreamTrack> | null = null;
  private stopping: Promise<void> | null = null;
  /** Bumped by every stop(): a start() that waited for an earlier stop gives up when another stop came meanwhile. */
  private generation = 0;

  constructor(track: MediaStreamTrack, options: BlurProcessorOptions = {}) {
    super();
    if (!(track instanceof MediaStreamTrack) || track.kind !== 'video') {
      throw new TypeError('BlurProcessor needs a video MediaStreamTrack, e.g. stream.getVideoTracks()[0].');
    }
    this.input = track;
    this.settings = processorSettings(options);
    this.liveOptions = liveOptionsFrom(options);
    if (options.background !== undefined) this.background = options.background;
  }

  /** The tier running, or null before `start()` has chosen one. */
  get tier(): Tier | null {
    return this.run?.tier ?? null;
  }

  /** Frame counts and per-stage milliseconds (p50, p95), updated twice a second. */
  get stats(): PipelineStats {
    return this.run?.stats ?? EMPTY_STATS;
  }

  /**
   * What the output shows behind the person now: `blur`, `none` (the room as
   * it is) or `replaced`. Not what was last asked for: a picture still loading,
   * or one that failed, leaves the previous effect (or the blur) on screen.
   */
  get effect(): BackgroundEffect {
    return this.backgrounds.effect;
  }

  /** The processed track, or null before `start()` resolves and after `stop()`. */
  get track(): MediaStreamTrack | null {
    return this.stopping ? null : (this.run?.track ?? null);
  }

  get sigma(): number {
    return this.liveOptions.sigma;
  }

  set sigma(value: number) {
    this.update({ sigma: normalizeSigma(value) });
  }

  get view(): OutputView {
    return this.liveOptions.view;
  }

  set view(value: OutputView) {
    this.update({ view: normalizeView(value) });
  }

  get model(): SegmentationModel {
    return this.liveOptions.model;
  }

  set model(value: SegmentationModel) {
    this.update({ model: normalizeModel(value) });
  }

  /**
   * What stands behind the person: `blur`, `none` (the effect off), a CSS
   * colour, an image URL, or an ImageBitmap, Blob, `<img>` or `<video>`. Live;
   * the previous background stays until a new picture has loaded. A value that
   * is none of these is refused with a console warning (the previous stays);
   * a picture that fails to load fires `error` (`background-load`) and the
   * output shows the blur.
   */
  get background(): BackgroundValue {
    return this.backgrounds.current;
  }

  set background(value: BackgroundValue) {
    this.backgrounds.set(value);
  }

  /** @internal Light wrap strength, 0–1; live. */
  get lightWrap(): number {
    return this.liveOptions.lightWrap;
  }

  set lightWrap(value: number) {
    this.update({ lightWrap: normalizeLightWrap(value) });
  }

  /** @internal The edge treatment (`naive`, `seed`, `refined`, `weighted`, `guided`, the default); live. */
  get refinement(): MaskRefinement {
    return this.liveOptions.refinement;
  }

  set refinement(value: MaskRefinement) {
    this.update({ refinement: normalizeRefinement(value) });
  }

  /**
   * Picks a tier, starts the worker and resolves with the processed track once
   * its first frame is written. Rejects with a `BlurError` (`unsupported`,
   * `worker-crashed`, …) and releases everything if the pipeline cannot run.
   */
  start(): Promise<MediaStreamTrack> {
    if (this.starting) return this.starting;
    const generation = this.generation;
    const previousStop = this.stopping;
    this.starting = (async () => {
      // Started again after a stop: once that stop has released everything, begin afresh (no worker of the old run survives it).
      if (previousStop) {
        await previousStop;
        if (generation !== this.generation) throw new DOMException('The processor was stopped', 'AbortError');
        this.stopping = null;
        // The background the page set is loaded again: the stop closed the decoded picture.
        this.backgrounds.reload();
      }
      this.run = new PipelineRun({
        input: this.input,
        settings: this.settings,
        backgrounds: this.backgrounds,
        liveOptions: () => this.liveOptions,
        dispatch: (event) => this.dispatchEvent(event),
        stop: () => this.stop(),
      });
      return this.run.start();
    })().catch(async (error: unknown) => {
      // Worker faults were reported as they arrived; report the rest (unsupported, ended input) here.
      if (error instanceof BlurError && !wasReportedByWorker(error)) {
        console.error(`blur-camera: ${error.message}`);
        this.dispatchEvent(new CustomEvent('error', { detail: { type: error.type, message: error.message } }));
      }
      await this.stop();
      throw error;
    });
    return this.starting;
  }

  /**
   * Stops the pipeline, ends the output track and terminates the worker. Safe
   * to call at any time, twice too; `start()` afterwards starts afresh.
   */
  stop(): Promise<void> {
    this.generation++;
    this.starting = null;
    this.stopping ??= this.teardown();
    return this.stopping;
  }

  override addEventListener<K extends keyof BlurProcessorEventMap>(
    type: K,
    listener: (this: BlurProcessor, event: BlurProcessorEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void {
    super.addEventListener(type, listener, options);
  }

  override removeEventListener<K extends keyof BlurProcessorEventMap>(
    type: K,
    listener: (this: BlurProcessor, event: BlurProcessorEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void {
    super.removeEventListener(type, listener, options);
  }

  /** @internal Test hook: terminates the worker as a crash would, without telling the processor. */
  terminateWorkerForTest(): void {
    this.run?.terminateWorkerForTest();
  }

  /** @internal Test hook: loses the running GPU device or WebGL context, as a GPU reset would. */
  loseGpuForTest(): void {
    this.run?.send({ type: 'lose-gpu' });
  }

  private async teardown(): Promise<void> {
    this.backgrounds.release();
    await this.run?.stop();
  }

  private update(changes: Partial<LiveOptions>): void {
    this.liveOptions = { ...this.liveOptions, ...changes };
    this.run?.send({ type: 'options', options: this.liveOptions });
  }
}
