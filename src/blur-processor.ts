import { blurWorkerUrl, resolveAssetUrls } from './asset-urls.js';
import { BlurError } from './blur-error.js';
import { CanvasCaptureTransport } from './canvas-capture-transport.js';
import { chooseTier, detectPageCapabilities, tierOf, type LadderDecision, type Tier, type TransportKind } from './capability-ladder.js';
import type { BlurErrorDetail, BlurProcessorEventMap, TierChangeDetail } from './events.js';
import { createInsertableStreamsTransport } from './insertable-streams-transport.js';
import { normalizeMaxTier, normalizeModel, normalizeRefinement, normalizeSigma, normalizeView } from './option-values.js';
import { WorkerBridge } from './worker-bridge.js';
import type { LiveOptions, RendererPreference, MaskRefinement, OutputView, PipelineStats, PipelineTestHooks, SegmentationModel, TransportInit, WorkerToMain } from '../workers/protocol.js';

export interface BlurProcessorOptions {
  /** Blur strength in pixels: 4 barely there, 8 medium (default), 16 heavy. */
  sigma?: number;
  /** `composite` (default) or `mask`, the refined person mask as grey. */
  view?: OutputView;
  /** `general` (256×256, default) or `landscape` (144×256, faster). */
  model?: SegmentationModel;
  /** The best rung allowed: 1 allows all, 4 forces the CPU path. */
  maxTier?: Tier;
  /** @internal The edge treatment, for the quality harness's side-by-side variants. */
  refinement?: MaskRefinement;
  /** Where the wasm and models live; default: next to the module. */
  assetsUrl?: string;
  /**
   * `auto` (default) renders on the CPU where the tier's GPU is a software one,
   * which is faster there; `gpu` always renders with the tier's GPU API.
   */
  renderer?: RendererPreference;
  /**
   * When the pipeline falls behind the camera, segment every other frame, then
   * use the landscape model, and take both back when there is headroom
   * (default true). `stats.adaptation` says what is shed.
   */
  adaptive?: boolean;
  /** @internal Wait for the GPU after every stage, so that per-stage timings are real. For the benchmark. */
  profile?: boolean;
  /** @internal Hooks for the test suite. */
  testHooks?: PipelineTestHooks;
}

const EMPTY_STATS: PipelineStats = { framesIn: 0, framesOut: 0, framesDropped: 0, framesWithoutMask: 0, masks: 0, compositor: null, adaptation: { level: 0, segmentEvery: 1, model: 'general' }, stages: {} };
const STOP_TIMEOUT_MS = 2000;

/**
 * The engine without the camera: takes any video MediaStreamTrack and gives
 * back a track with the background blurred, processed in a dedicated worker.
 * It never stops the input track; that belongs to the caller.
 *
 * @fires tierchange - the pipeline picked, or stepped down to, a tier
 * @fires error - something failed; `detail.type` says what
 */
export class BlurProcessor extends EventTarget {
  private readonly input: MediaStreamTrack;
  private readonly maxTier: Tier;
  private readonly assetsUrl: string | undefined;
  private readonly profile: boolean;
  private readonly renderer: RendererPreference;
  private readonly adaptive: boolean;
  private readonly testHooks: PipelineTestHooks;
  private liveOptions: LiveOptions;
  private bridge: WorkerBridge | null = null;
  private output: MediaStreamTrack | null = null;
  private currentTier: Tier | null = null;
  private transportKind: TransportKind | null = null;
  private capture: CanvasCaptureTransport | null = null;
  private transferredInput: MediaStreamTrack | null = null;
  private lastRefused: LadderDecision['refused'] = [];
  private latestStats: PipelineStats = EMPTY_STATS;
  private readonly aborter = new AbortController();
  private starting: Promise<MediaStreamTrack> | null = null;
  private stopping: Promise<void> | null = null;
  private readonly onInputEnded = (): void => void this.stop();

  constructor(track: MediaStreamTrack, options: BlurProcessorOptions = {}) {
    super();
    if (!(track instanceof MediaStreamTrack) || track.kind !== 'video') {
      throw new TypeError('BlurProcessor needs a video MediaStreamTrack, e.g. stream.getVideoTracks()[0].');
    }
    this.input = track;
    this.maxTier = normalizeMaxTier(options.maxTier);
    this.assetsUrl = options.assetsUrl;
    this.profile = options.profile ?? false;
    this.renderer = options.renderer === 'gpu' ? 'gpu' : 'auto';
    this.adaptive = options.adaptive !== false;
    this.testHooks = options.testHooks ?? {};
    this.liveOptions = {
      sigma: normalizeSigma(options.sigma),
      view: normalizeView(options.view),
      model: normalizeModel(options.model),
      refinement: normalizeRefinement(options.refinement),
    };
  }

  /** The tier running, or null before `start()` has chosen one. */
  get tier(): Tier | null {
    return this.currentTier;
  }

  /** Frame counts and per-stage milliseconds (p50, p95), updated twice a second. */
  get stats(): PipelineStats {
    return this.latestStats;
  }

  /** The processed track, or null before `start()` resolves and after `stop()`. */
  get track(): MediaStreamTrack | null {
    return this.output;
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

  /** @internal The edge treatment (`naive`, `seed`, `refined`); live. */
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
    this.starting ??= this.run().catch(async (error: unknown) => {
      // Worker faults were reported as they arrived; report the rest (unsupported, ended input) here.
      if (error instanceof BlurError && !reportedByWorker.has(error)) {
        console.error(`blur-camera: ${error.message}`);
        this.emit('error', { type: error.type, message: error.message });
      }
      await this.stop();
      throw error;
    });
    return this.starting;
  }

  /** Stops the pipeline, ends the output track and terminates the worker. Safe to call at any time, twice too. */
  stop(): Promise<void> {
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

  private async run(): Promise<MediaStreamTrack> {
    if (this.input.readyState === 'ended') throw new BlurError('camera-ended', 'The input track has already ended; pass a live video track.');
    const signal = this.aborter.signal;
    const bridge = new WorkerBridge(blurWorkerUrl());
    this.bridge = bridge;
    bridge.listen((message) => this.onWorkerMessage(message));

    const probed = bridge.once('probed', signal);
    bridge.send({ type: 'probe' });
    const { capabilities } = await probed.catch(rethrowAsBlurError);

    const decision = chooseTier({ page: detectPageCapabilities(), worker: capabilities, maxTier: this.maxTier });
    this.currentTier = decision.tier;
    this.lastRefused = decision.refused;
    this.emit('tierchange', { tier: decision.tier, reason: reasonFor(decision), refused: decision.refused });
    if (decision.tier === 5 || !decision.transport) {
      const why = decision.refused.map((r) => `tier ${r.tier}: ${r.reason}`).join('; ');
      throw new BlurError('unsupported', `Background blur is not available in this browser (${why}).`);
    }

    this.transportKind = decision.transport;
    const { transport, transfer, output } = await this.openTransport(decision.transport, bridge);
    const firstFrame = bridge.once('first-frame', signal);
    bridge.send(
      {
        type: 'start',
        transport,
        backends: decision.backends,
        options: this.liveOptions,
        assets: resolveAssetUrls(this.assetsUrl),
        profile: this.profile,
        renderer: this.renderer,
        adaptive: this.adaptive,
        testHooks: this.testHooks,
      },
      transfer,
    );
    this.input.addEventListener('ended', this.onInputEnded);
    this.output = await output;
    await firstFrame.catch(rethrowAsBlurError);
    return this.output;
  }

  /** Sets up how frames reach the worker and leave it; `output` resolves with the processed track. */
  private async openTransport(
    kind: TransportKind,
    bridge: WorkerBridge,
  ): Promise<{ transport: TransportInit; transfer: Transferable[]; output: Promise<MediaStreamTrack> }> {
    switch (kind) {
      case 'streams': {
        const streams = createInsertableStreamsTransport(this.input);
        return {
          transport: { kind, readable: streams.readable, writable: streams.writable },
          transfer: [streams.readable, streams.writable],
          output: Promise.resolve(streams.output),
        };
      }
      case 'track': {
        // Transfer a clone: the caller keeps its own track.
        const clone = this.input.clone();
        this.transferredInput = clone;
        const output = bridge.once('output-track', this.aborter.signal).then((message) => message.track);
        return { transport: { kind, track: clone }, transfer: [clone as unknown as Transferable], output };
      }
      case 'frames': {
        const capture = await CanvasCaptureTransport.create(this.input, (frame) => {
          // A frame that can no longer reach the worker is still ours to close.
          if (!bridge.send({ type: 'frame', frame }, [frame])) frame.close();
        });
        this.capture = capture;
        return { transport: { kind }, transfer: [], output: Promise.resolve(capture.output) };
      }
    }
  }

  /** @internal Test hook: loses the running GPU device or WebGL context, as a GPU reset would. */
  loseGpuForTest(): void {
    this.bridge?.send({ type: 'lose-gpu' });
  }

  private async teardown(): Promise<void> {
    this.aborter.abort(new DOMException('The processor was stopped', 'AbortError'));
    this.input.removeEventListener('ended', this.onInputEnded);
    const bridge = this.bridge;
    if (bridge?.alive) {
      // Let the worker close its frames and destroy its GPU resources before it goes.
      const stopped = bridge.once('stopped');
      bridge.send({ type: 'stop' });
      await Promise.race([stopped.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS))]);
    }
    bridge?.terminate();
    this.capture?.stop();
    this.capture = null;
    this.transferredInput?.stop();
    this.transferredInput = null;
    this.output?.stop();
    this.output = null;
  }

  private update(changes: Partial<LiveOptions>): void {
    this.liveOptions = { ...this.liveOptions, ...changes };
    this.bridge?.send({ type: 'options', options: this.liveOptions });
  }

  private onWorkerMessage(message: WorkerToMain): void {
    if (message.type === 'stats') this.latestStats = message.stats;
    if (message.type === 'need-frame') this.capture?.requestFrame();
    if (message.type === 'output-frame') {
      if (this.capture) this.capture.draw(message.frame);
      else message.frame.close();
    }
    if (message.type === 'backend-changed' && this.transportKind) {
      const tier = tierOf(message.backend, this.transportKind);
      const previous = this.currentTier;
      this.currentTier = tier;
      this.lastRefused = [...this.lastRefused, ...(previous ? [{ tier: previous, reason: message.reason }] : [])];
      console.warn(`blur-camera: ${message.reason}. Now on tier ${tier}.`);
      this.emit('tierchange', { tier, reason: message.reason, refused: this.lastRefused });
    }
    if (message.type !== 'error') return;
    const detail: BlurErrorDetail = { type: message.errorType, message: message.message, ...(message.cause ? { cause: message.cause } : {}) };
    console.error(`blur-camera: ${message.message}`);
    this.emit('error', detail);
    // A fatal fault leaves no safe way to render: end the output rather than risk a raw frame.
    if (message.fatal && this.output) void this.stop();
  }

  private emit<K extends keyof BlurProcessorEventMap>(type: K, detail: BlurProcessorEventMap[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

function reasonFor(decision: LadderDecision): string {
  const last = decision.refused[decision.refused.length - 1];
  if (!last) return 'the best tier is available';
  return `tier ${last.tier} refused: ${last.reason}`;
}

/** BlurErrors made from worker messages, which the `error` event already announced. */
const reportedByWorker = new WeakSet<BlurError>();

function rethrowAsBlurError(error: unknown): never {
  const workerError = (error as { workerError?: Extract<WorkerToMain, { type: 'error' }> } | null)?.workerError;
  if (!workerError) throw error;
  const blurError = new BlurError(workerError.errorType, workerError.message, { cause: error });
  reportedByWorker.add(blurError);
  throw blurError;
}

export type { TierChangeDetail };
