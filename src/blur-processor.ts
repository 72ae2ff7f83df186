import { blurWorkerUrl, resolveAssetUrls } from './asset-urls.js';
import { BackgroundLoadError, loadBackground, parseBackground, VideoBackgroundPump, type BackgroundValue, type LoadedBackground, type ParsedBackground } from './background-source.js';
import { BlurError } from './blur-error.js';
import { CanvasCaptureTransport } from './canvas-capture-transport.js';
import { chooseTier, detectPageCapabilities, tierOf, type LadderDecision, type Tier, type TransportKind } from './capability-ladder.js';
import type { BackgroundEffect, BlurErrorDetail, BlurProcessorEventMap, TierChangeDetail } from './events.js';
import { InsertableStreamsTransport } from './insertable-streams-transport.js';
import { normalizeLightWrap, normalizeMaxTier, normalizeModel, normalizeRefinement, normalizeSigma, normalizeView } from './option-values.js';
import { WorkerBridge } from './worker-bridge.js';
import type { Background } from '../contract/background.js';
import type { AssetUrls, LiveOptions, RendererPreference, MaskRefinement, OutputView, SegmentationModel } from '../contract/options.js';
import type { ProbedBackend } from '../contract/ladder.js';
import type { PipelineTestHooks, TransportInit, WorkerToMain } from '../contract/protocol.js';
import type { PipelineStats } from '../contract/stats.js';

export interface BlurProcessorOptions {
  /** Blur strength in pixels: 4 barely there, 8 medium (default), 16 heavy. */
  sigma?: number;
  /** `composite` (default) or `mask`, the refined person mask as grey. */
  view?: OutputView;
  /** `general` (256×256, default) or `landscape` (144×256, faster). */
  model?: SegmentationModel;
  /**
   * What stands behind the person: `blur` (default), `none` (the effect off),
   * a CSS colour, an image URL, or an ImageBitmap, Blob, `<img>` or `<video>`
   * (which loops). Pictures cover the frame, centred. One that fails to load
   * fires `error` (`background-load`) and the blur stays. Live (`background`).
   */
  background?: BackgroundValue;
  /** @internal Light wrap strength for a replaced background, 0–1; the quality harness turns it off to compare. */
  lightWrap?: number;
  /** The best rung allowed: 1 allows all, 4 forces the CPU path. */
  maxTier?: Tier;
  /** @internal The edge treatment, for the quality harness's side-by-side variants. */
  refinement?: MaskRefinement;
  /** Where the wasm and models live; default: next to the module. Must be on the page's origin (see `allowCrossOriginAssets`). */
  assetsUrl?: string;
  /**
   * Lets `assetsUrl` name another origin. The wasm there runs beside every
   * camera frame, so only set it for a server you trust as much as the page.
   */
  allowCrossOriginAssets?: boolean;
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

const EMPTY_STATS: PipelineStats = { framesIn: 0, framesOut: 0, framesDropped: 0, framesWithoutMask: 0, masks: 0, background: 'blur', compositor: null, gpuBytes: null, gpuDevices: 0, segmenterWorkers: 0, adaptation: { level: 0, segmentEvery: 1, model: 'general' }, stages: {} };
const STOP_TIMEOUT_MS = 2000;
/** Longest wait, once the backend runs, for the first processed frame: a camera that sends nothing must become an error. */
const FIRST_FRAME_TIMEOUT_MS = 10000;
/**
 * A running worker posts stats twice a second; this long without a message
 * means it died (terminated, or crashed without an `error` event).
 */
const WORKER_SILENCE_MS = 8000;

/**
 * The engine without the camera: takes any video MediaStreamTrack and gives
 * back a track with the background blurred, processed in a dedicated worker.
 * It never stops the input track; that belongs to the caller.
 *
 * @fires tierchange - the pipeline picked, or stepped down to, a tier
 * @fires error - something failed; `detail.type` says what
 * @fires ended - the consumer stopped the processed track, and the processor stopped with it
 * @fires effectchange - what the worker renders behind the person changed (`blur`, `none`, `replaced`)
 */
export class BlurProcessor extends EventTarget {
  private readonly input: MediaStreamTrack;
  private readonly maxTier: Tier;
  private readonly assetsUrl: string | undefined;
  private readonly allowCrossOriginAssets: boolean;
  private readonly profile: boolean;
  private readonly renderer: RendererPreference;
  private readonly adaptive: boolean;
  private readonly testHooks: PipelineTestHooks;
  private liveOptions: LiveOptions;
  private bridge: WorkerBridge | null = null;
  private output: MediaStreamTrack | null = null;
  /** The output as the transport hands it over: stopped in teardown even when start() failed before it was taken. */
  private arrivingOutput: Promise<MediaStreamTrack> | null = null;
  private currentTier: Tier | null = null;
  private transportKind: TransportKind | null = null;
  private capture: CanvasCaptureTransport | null = null;
  private streams: InsertableStreamsTransport | null = null;
  /** The backends the ladder chose, best first; a restarted worker gets them again. */
  private backends: LadderDecision['backends'] = [];
  /** The registered backends the worker reported, with their rungs: what a backend's tier is read from. */
  private probedBackends: readonly ProbedBackend[] = [];
  /** Workers lost since start: the first is replaced as it was, the second by the CPU path, the third ends the output. */
  private workerLosses = 0;
  private lastWorkerMessageAt = 0;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private recovering = false;
  private transferredInput: MediaStreamTrack | null = null;
  private lastRefused: LadderDecision['refused'] = [];
  private latestStats: PipelineStats = EMPTY_STATS;
  /** The background as the page set it. */
  private backgroundValue: BackgroundValue = 'blur';
  /** The background in effect: what the worker gets (the previous one stays while a new one loads). */
  private loadedBackground: LoadedBackground = { kind: 'blur' };
  private backgroundLoad: AbortController | null = null;
  private videoPump: VideoBackgroundPump | null = null;
  private aborter = new AbortController();
  private starting: Promise<MediaStreamTrack> | null = null;
  private stopping: Promise<void> | null = null;
  /** Bumped by every stop(): a start() that waited for an earlier stop gives up when another stop came meanwhile. */
  private generation = 0;
  /** The input ended (unplugged, or revoked): say so once, then stop; never keep sending a stale frame. */
  private readonly onInputEnded = (): void => {
    if (this.stopping || this.inputEndReported) return;
    this.inputEndReported = true;
    const message = 'The camera track ended. Reconnect the camera, then call start().';
    console.error(`blur-camera: ${message}`);
    this.emit('error', { type: 'camera-ended', message });
    void this.stop();
  };
  private inputEndReported = false;
  /** Whoever holds the output stopped it: release the worker and the transports, and say so with `ended`. */
  private readonly onOutputStopped = (): void => {
    if (this.stopping) return;
    console.info('blur-camera: the processed track was stopped by its consumer; the blur pipeline stopped too.');
    void this.stop().then(() => this.dispatchEvent(new Event('ended')));
  };
  private inputEndWatch: ReturnType<typeof setInterval> | null = null;

  constructor(track: MediaStreamTrack, options: BlurProcessorOptions = {}) {
    super();
    if (!(track instanceof MediaStreamTrack) || track.kind !== 'video') {
      throw new TypeError('BlurProcessor needs a video MediaStreamTrack, e.g. stream.getVideoTracks()[0].');
    }
    this.input = track;
    this.maxTier = normalizeMaxTier(options.maxTier);
    this.assetsUrl = options.assetsUrl;
    this.allowCrossOriginAssets = options.allowCrossOriginAssets === true;
    this.profile = options.profile ?? false;
    this.renderer = options.renderer === 'gpu' ? 'gpu' : 'auto';
    this.adaptive = options.adaptive !== false;
    this.testHooks = options.testHooks ?? {};
    this.liveOptions = {
      sigma: normalizeSigma(options.sigma),
      view: normalizeView(options.view),
      model: normalizeModel(options.model),
      refinement: normalizeRefinement(options.refinement),
      lightWrap: normalizeLightWrap(options.lightWrap),
    };
    if (options.background !== undefined) this.background = options.background;
  }

  /** The tier running, or null before `start()` has chosen one. */
  get tier(): Tier | null {
    return this.currentTier;
  }

  /** Frame counts and per-stage milliseconds (p50, p95), updated twice a second. */
  get stats(): PipelineStats {
    return this.latestStats;
  }

  /**
   * What the output shows behind the person now: `blur`, `none` (the room as
   * it is) or `replaced`. Not what was last asked for: a picture still loading,
   * or one that failed, leaves the previous effect (or the blur) on screen.
   */
  get effect(): BackgroundEffect {
    return effectOf(this.loadedBackground);
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

  /**
   * What stands behind the person: `blur`, `none` (the effect off), a CSS
   * colour, an image URL, or an ImageBitmap, Blob, `<img>` or `<video>`. Live;
   * the previous background stays until a new picture has loaded. A value that
   * is none of these is refused with a console warning (the previous stays);
   * a picture that fails to load fires `error` (`background-load`) and the
   * output shows the blur.
   */
  get background(): BackgroundValue {
    return this.backgroundValue;
  }

  set background(value: BackgroundValue) {
    const parsed = parseBackground(value);
    if (!parsed) {
      const shown = typeof value === 'string' ? JSON.stringify(value) : Object.prototype.toString.call(value);
      console.warn(`blur-camera: background=${shown} is not blur, none, a CSS colour, an image URL (a path with "/" or ".", or url(…)), an ImageBitmap, a Blob, an <img> or a <video>; keeping the previous background.`);
      return;
    }
    this.backgroundValue = value;
    this.startBackgroundLoad(parsed);
  }

  /** @internal Light wrap strength, 0–1; live. */
  get lightWrap(): number {
    return this.liveOptions.lightWrap;
  }

  set lightWrap(value: number) {
    this.update({ lightWrap: normalizeLightWrap(value) });
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
    if (this.starting) return this.starting;
    const generation = this.generation;
    const previousStop = this.stopping;
    this.starting = (async () => {
      // Started again after a stop: once that stop has released everything, begin afresh (no worker of the old run survives it).
      if (previousStop) {
        await previousStop;
        if (generation !== this.generation) throw new DOMException('The processor was stopped', 'AbortError');
        this.resetAfterStop();
      }
      return this.run();
    })().catch(async (error: unknown) => {
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

  /** The state of a processor never started, but for the options and background the page set. */
  private resetAfterStop(): void {
    this.aborter = new AbortController();
    this.stopping = null;
    this.workerLosses = 0;
    this.inputEndReported = false;
    this.latestStats = EMPTY_STATS;
    this.currentTier = null;
    this.transportKind = null;
    this.lastRefused = [];
    // The background the page set is loaded again: teardown closed the decoded picture.
    this.background = this.backgroundValue;
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
    // A bad assets-url is the page's to fix: refuse it before any worker starts.
    this.assets();
    const bridge = new WorkerBridge(blurWorkerUrl());
    this.bridge = bridge;
    bridge.listen((message) => this.onWorkerMessage(message));

    const probed = bridge.once('probed', signal);
    bridge.send({ type: 'probe' });
    const { capabilities } = await probed.catch(rethrowAsBlurError);
    this.probedBackends = capabilities.backends;

    const decision = chooseTier({ page: detectPageCapabilities(), worker: capabilities, maxTier: this.maxTier });
    if (decision.tier === 5 || !decision.transport) {
      this.announceTier(5, decision.refused);
      const why = decision.refused.map((r) => `tier ${r.tier}: ${r.reason}`).join('; ');
      throw new BlurError('unsupported', `Background blur is not available in this browser (${why}).`);
    }

    const transportKind = decision.transport;
    this.transportKind = transportKind;
    this.backends = decision.backends;
    const { transport, transfer, output } = await this.openTransport(transportKind, bridge);
    this.arrivingOutput = output;
    output.catch(() => undefined);
    const ready = bridge.once('backend-ready', signal);
    const firstFrame = bridge.once('first-frame', signal);
    // Awaited only after `ready`; when the worker fails first, both reject and this one must not go unhandled.
    firstFrame.catch(() => undefined);
    this.sendStart(bridge, transport, transfer, this.backends);
    this.input.addEventListener('ended', this.onInputEnded);
    // A caller's track.stop() fires no `ended`, and neither a transferred clone (W3C transport) nor a
    // `<video>` playing the track (canvas capture) notices it: watch the input's state, whatever the transport.
    this.inputEndWatch = setInterval(() => {
      if (this.input.readyState === 'ended') this.onInputEnded();
      // Likewise the consumer's stop() of the output (hung up, replaced the track): nothing is left to blur for.
      else if (this.output?.readyState === 'ended' && !this.recovering) this.onOutputStopped();
    }, 250);
    // The tier is the ladder's only once the worker's backend has proven its blur; one that did not is a refused tier.
    const started = await ready.catch(rethrowAsBlurError);
    const refusedByProof = started.refused.map((r) => ({ tier: tierOf(this.probedBackends, r.backend, transportKind), reason: r.reason }));
    for (const r of refusedByProof) console.warn(`blur-camera: tier ${r.tier} refused: ${r.reason}.`);
    this.announceTier(tierOf(this.probedBackends, started.backend, transportKind), [...decision.refused, ...refusedByProof]);
    this.output = await output;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.noFirstFrame()), FIRST_FRAME_TIMEOUT_MS);
    });
    try {
      await Promise.race([firstFrame.catch(rethrowAsBlurError), timedOut]);
    } finally {
      clearTimeout(timer);
    }
    this.armWatchdog();
    return this.output;
  }

  private announceTier(tier: Tier, refused: LadderDecision['refused']): void {
    this.currentTier = tier;
    this.lastRefused = refused;
    this.emit('tierchange', { tier, reason: reasonFor(refused), refused });
  }

  private sendStart(bridge: WorkerBridge, transport: TransportInit, transfer: Transferable[], backends: LadderDecision['backends']): void {
    bridge.send(
      {
        type: 'start',
        transport,
        backends,
        options: this.liveOptions,
        background: this.workerBackground(),
        assets: this.assets(),
        profile: this.profile,
        renderer: this.renderer,
        adaptive: this.adaptive,
        inputFrameRate: this.input.getSettings().frameRate ?? null,
        testHooks: this.testHooks,
      },
      transfer,
    );
    // A video background's frames come on their own; the new worker needs one now.
    this.videoPump?.refresh();
  }

  /**
   * Loads a background and puts it in effect when it is ready, unless a newer
   * one was set meanwhile. Keywords and colours take effect at once.
   */
  private startBackgroundLoad(parsed: ParsedBackground): void {
    this.backgroundLoad?.abort();
    this.backgroundLoad = null;
    if (parsed.kind === 'blur' || parsed.kind === 'none' || parsed.kind === 'colour') {
      this.useBackground(parsed);
      return;
    }
    const aborter = new AbortController();
    this.backgroundLoad = aborter;
    loadBackground(parsed, aborter.signal).then(
      (loaded) => {
        if (aborter.signal.aborted || this.stopping) {
          if (loaded.kind === 'image') loaded.bitmap.close();
          return;
        }
        this.backgroundLoad = null;
        this.useBackground(loaded);
      },
      (error: unknown) => {
        if (aborter.signal.aborted || this.stopping) return;
        this.backgroundLoad = null;
        const message = error instanceof BackgroundLoadError
          ? error.message
          : `The background could not be loaded: ${error instanceof Error ? error.message : String(error)}. The background stays blurred.`;
        console.error(`blur-camera: ${message}`);
        // Never the raw room: the blur, which every fault falls back to.
        this.useBackground({ kind: 'blur' });
        this.emit('error', { type: 'background-load', message, cause: error });
      },
    );
  }

  /** Puts a loaded background in effect and tells the worker. */
  private useBackground(loaded: LoadedBackground): void {
    const previous = this.loadedBackground;

    this.videoPump?.stop();
    this.videoPump = null;
    this.loadedBackground = loaded;
    if (loaded.kind === 'video') {
      this.videoPump = new VideoBackgroundPump(loaded.video, (frame) => {
        // Transferred: the worker closes it when the next one comes. A frame that can reach no worker is still ours.
        if (!this.bridge?.send({ type: 'background', background: { kind: 'image', image: frame } }, [frame])) frame.close();
      });
    } else {
      this.bridge?.send({ type: 'background', background: this.workerBackground() });
    }
    if (previous.kind === 'image' && previous !== loaded) previous.bitmap.close();
    if (effectOf(previous) !== effectOf(loaded)) this.dispatchEvent(new CustomEvent('effectchange', { detail: { effect: this.effect } }));
  }

  /** The background in effect as the worker takes it; a picture is cloned (not transferred), so a restarted worker can have it too. */
  private workerBackground(): Background {
    const loaded = this.loadedBackground;
    switch (loaded.kind) {
      case 'image':
        return { kind: 'image', image: loaded.bitmap };
      case 'video':
        // Its frames follow from the pump.
        return { kind: 'blur' };
      default:
        return loaded;
    }
  }

  /** Notices a worker that went silent: terminated from outside, or crashed without an `error` event. */
  private armWatchdog(): void {
    this.lastWorkerMessageAt = performance.now();
    this.watchdog ??= setInterval(() => {
      if (performance.now() - this.lastWorkerMessageAt > WORKER_SILENCE_MS) void this.replaceWorker('it stopped answering');
    }, 1000);
  }

  /**
   * A worker died under a running pipeline. The output track stays and gets
   * no frame meanwhile (never a raw one). The first loss restarts the worker
   * as it was; the second restarts it on the CPU path (tier 4); the third ends
   * the output with a fatal error.
   */
  private async replaceWorker(reason: string): Promise<void> {
    if (this.recovering || this.stopping || !this.output || !this.transportKind) return;
    this.recovering = true;
    try {
      this.bridge?.terminate();
      this.bridge = null;
      // The dead worker's counts are gone with it; the new one starts from zero.
      this.latestStats = EMPTY_STATS;
      this.workerLosses++;
      const canReconnect = this.transportKind !== 'track';
      if (this.workerLosses > 2 || !canReconnect) {
        const message = `The blur worker died (${reason}) ${canReconnect ? 'again after two restarts' : 'and its output track went with it'}. The output has stopped; call start() to try again.`;
        console.error(`blur-camera: ${message}`);
        this.emit('error', { type: 'worker-crashed', message });
        await this.stop();
        return;
      }
      // The second restart runs only the ladder's last step down: the CPU renderer, which ends every ladder of today's registry.
      const lastResort = this.backends.slice(-1);
      const backends = this.workerLosses === 1 ? this.backends : lastResort;
      const message = `The blur worker died (${reason}); ${this.workerLosses === 1 ? 'restarted it' : 'restarted it on the CPU path'}. The output kept its track and sent no unblurred frame.`;
      console.warn(`blur-camera: ${message}`);
      this.emit('error', { type: 'worker-crashed', message, recovered: true });
      const bridge = new WorkerBridge(blurWorkerUrl());
      this.bridge = bridge;
      bridge.listen((m) => this.onWorkerMessage(m));
      const probed = bridge.once('probed', this.aborter.signal);
      bridge.send({ type: 'probe' });
      await probed;
      const { transport, transfer } = this.reconnect(this.transportKind);
      this.lastWorkerMessageAt = performance.now();
      this.sendStart(bridge, transport, transfer, backends);
      if (this.workerLosses === 2) {
        const tier = tierOf(this.probedBackends, lastResort[0] ?? '', this.transportKind);
        const previous = this.currentTier;
        this.currentTier = tier;
        this.lastRefused = [...this.lastRefused, ...(previous ? [{ tier: previous, reason: message }] : [])];
        this.emit('tierchange', { tier, reason: message, refused: this.lastRefused });
      }
    } catch (error) {
      if (this.stopping) return;
      const message = `The blur worker could not be restarted: ${String(error)}. The output has stopped; call start() to try again.`;
      console.error(`blur-camera: ${message}`);
      this.emit('error', { type: 'worker-crashed', message });
      await this.stop();
    } finally {
      this.recovering = false;
    }
  }

  /** Joins a new worker to the transport the dead one used, keeping the output track. */
  private reconnect(kind: TransportKind): { transport: TransportInit; transfer: Transferable[] } {
    if (kind === 'streams' && this.streams) {
      const readable = this.streams.connect();
      return { transport: { kind, readable }, transfer: [readable] };
    }
    if (kind === 'frames' && this.capture) {
      this.capture.reset();
      return { transport: { kind }, transfer: [] };
    }
    throw new Error(`a ${kind} transport cannot be reconnected`);
  }

  /** @internal Test hook: terminates the worker as a crash would, without telling the processor. */
  terminateWorkerForTest(): void {
    this.bridge?.terminate();
  }

  /** Sets up how frames reach the worker and leave it; `output` resolves with the processed track. */
  private async openTransport(
    kind: TransportKind,
    bridge: WorkerBridge,
  ): Promise<{ transport: TransportInit; transfer: Transferable[]; output: Promise<MediaStreamTrack> }> {
    switch (kind) {
      case 'streams': {
        const streams = new InsertableStreamsTransport(this.input);
        this.streams = streams;
        const readable = streams.connect();
        return { transport: { kind, readable }, transfer: [readable], output: Promise.resolve(streams.output) };
      }
      case 'track': {
        // Transfer a clone: the caller keeps its own track.
        const clone = this.input.clone();
        this.transferredInput = clone;
        const output = bridge.once('output-track', this.aborter.signal).then((message) => message.track);
        return { transport: { kind, track: clone }, transfer: [clone as unknown as Transferable], output };
      }
      case 'frames': {
        const capture = await CanvasCaptureTransport.create(
          this.input,
          (frame) => {
            // To whichever worker runs now; a frame that can reach none is still ours to close.
            if (!this.bridge?.send({ type: 'frame', frame }, [frame])) frame.close();
          },
        );
        // stop() came while the <video> was starting: teardown has run already and cannot see this capture.
        if (this.aborter.signal.aborted) {
          capture.stop();
          throw this.aborter.signal.reason;
        }
        this.capture = capture;
        return { transport: { kind }, transfer: [], output: Promise.resolve(capture.output) };
      }
    }
  }

  /** Why no frame came out in time: the input sent none, or the worker made none of what it got. */
  private noFirstFrame(): BlurError {
    const seconds = FIRST_FRAME_TIMEOUT_MS / 1000;
    if (this.latestStats.framesIn === 0) {
      return new BlurError('camera-ended', `The camera sent no picture in ${seconds} s. Check that no other app holds it and that it is not covered, then call start().`);
    }
    return new BlurError('worker-crashed', `The blur worker made no frame in ${seconds} s from the ${this.latestStats.framesIn} it read. Call start() to try again.`);
  }

  /** The asset URLs; throws BlurError `invalid-config` for an assets-url that may not be used. */
  private assets(): AssetUrls {
    return resolveAssetUrls(this.assetsUrl, this.allowCrossOriginAssets);
  }

  /** @internal Test hook: loses the running GPU device or WebGL context, as a GPU reset would. */
  loseGpuForTest(): void {
    this.bridge?.send({ type: 'lose-gpu' });
  }

  private async teardown(): Promise<void> {
    this.aborter.abort(new DOMException('The processor was stopped', 'AbortError'));
    this.backgroundLoad?.abort();
    this.backgroundLoad = null;
    this.videoPump?.stop();
    this.videoPump = null;
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
    if (this.inputEndWatch) clearInterval(this.inputEndWatch);
    this.inputEndWatch = null;
    this.input.removeEventListener('ended', this.onInputEnded);
    // The output ends first: no frame leaves after stop(), and WebKit's track from a worker's VideoTrackGenerator
    // sometimes stayed `live` when stopped after its worker was terminated.
    this.output?.stop();
    this.output = null;
    void this.arrivingOutput?.then(
      (track) => track.stop(),
      () => undefined,
    );
    this.arrivingOutput = null;
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
    this.streams?.stop();
    this.streams = null;
    try {
      // The worker had it; in WebKit the page's handle of a transferred track throws here, and the worker's copy ended with the worker.
      this.transferredInput?.stop();
    } catch {
      // Nothing left to stop.
    }
    this.transferredInput = null;
    if (this.loadedBackground.kind === 'image') this.loadedBackground.bitmap.close();
    this.loadedBackground = { kind: 'blur' };
  }

  private update(changes: Partial<LiveOptions>): void {
    this.liveOptions = { ...this.liveOptions, ...changes };
    this.bridge?.send({ type: 'options', options: this.liveOptions });
  }

  private onWorkerMessage(message: WorkerToMain): void {
    this.lastWorkerMessageAt = performance.now();
    if (message.type === 'stats') this.latestStats = message.stats;
    if (message.type === 'need-frame') this.capture?.requestFrame();
    if (message.type === 'output-frame') {
      if (this.capture) this.capture.draw(message.frame);
      else if (this.streams) this.streams.deliver(message.frame);
      else message.frame.close();
    }
    if (message.type === 'backend-changed' && this.transportKind) {
      const tier = tierOf(this.probedBackends, message.backend, this.transportKind);
      const previous = this.currentTier;
      this.currentTier = tier;
      this.lastRefused = [...this.lastRefused, ...(previous ? [{ tier: previous, reason: message.reason }] : [])];
      console.warn(`blur-camera: ${message.reason}. Now on tier ${tier}.`);
      this.emit('tierchange', { tier, reason: message.reason, refused: this.lastRefused });
    }
    if (message.type !== 'error') return;
    if (message.errorType === 'camera-ended') {
      this.onInputEnded();
      return;
    }
    // A worker that crashes under a running pipeline is replaced, not fatal.
    if (message.errorType === 'worker-crashed' && !message.recovered && this.output && this.watchdog) {
      void this.replaceWorker(message.message);
      return;
    }
    const detail: BlurErrorDetail = { type: message.errorType, message: message.message, ...(message.recovered ? { recovered: true } : {}), ...(message.cause ? { cause: message.cause } : {}) };
    if (message.recovered) console.warn(`blur-camera: ${message.message}`);
    else console.error(`blur-camera: ${message.message}`);
    this.emit('error', detail);
    // A fatal fault leaves no safe way to render: end the output rather than risk a raw frame.
    if (message.fatal && this.output) void this.stop();
  }

  private emit<K extends 'tierchange' | 'error'>(type: K, detail: BlurProcessorEventMap[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

function reasonFor(refused: LadderDecision['refused']): string {
  const last = refused[refused.length - 1];
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

/** What a background in effect shows behind the person. */
function effectOf(background: LoadedBackground): BackgroundEffect {
  return background.kind === 'blur' || background.kind === 'none' ? background.kind : 'replaced';
}
