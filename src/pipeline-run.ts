import type { BackendName } from '../contract/backend.js';
import type { ProbedBackend } from '../contract/ladder.js';
import type { AssetUrls, LiveOptions, SegmenterPlan } from '../contract/options.js';
import type { MainToWorker, PipelineTestHooks, WorkerToMain } from '../contract/protocol.js';
import type { PipelineStats } from '../contract/stats.js';
import { resolveAssetUrls } from './asset-urls.js';
import type { BackgroundController } from './background/controller.js';
import { BlurError } from './blur-error.js';
import type { ProcessorSettings } from './blur-processor-options.js';
import { chooseTier, detectPageCapabilities, tierOf, type LadderDecision, type Tier } from './capability-ladder.js';
import { withDeadline } from './timeout.js';
import type { BlurErrorDetail, BlurProcessorEventMap } from './events.js';
import { openTransport } from './open-transport.js';
import type { Transport } from './transport.js';
import type { WorkerBridge } from './worker-bridge.js';
import { rethrowAsBlurError } from './worker-errors.js';
import { WorkerSupervisor, type SupervisorHost } from './worker-supervisor.js';

export const EMPTY_STATS: PipelineStats = { framesIn: 0, framesOut: 0, framesDropped: 0, framesWithoutMask: 0, masks: 0, background: 'blur', compositor: null, gpuBytes: null, frameRoutes: null, gpuDevices: 0, segmenter: null, segmenterWorkers: 0, compositeWorkers: 0, adaptation: { level: 0, segmentEvery: 1, model: 'general' }, stages: {} };
/** Longest wait, once the backend runs, for the first processed frame: a camera that sends nothing must become an error. */
const FIRST_FRAME_TIMEOUT_MS = 10000;
/**
 * When the worker is reading the camera's frames but has made no output yet,
 * how much longer it gets. A loaded machine (a cold JIT, the model's wasm
 * compiling beside it, two cores) took over 10 s for its first frame in CI;
 * that is slow, not broken, and failing it would leave the user with nothing.
 * A worker that makes nothing from what it reads is still an error.
 */
const FIRST_FRAME_SLOW_WORKER_MS = 20000;
/**
 * Longest waits for the worker's two start-up answers: its capability probe
 * (the worker's script loaded and ran), and its backend's start (the
 * compositor set up and its blur proven). Both take a few seconds at most on a
 * loaded two-core machine; a worker that never answers (a Firefox worker once
 * stayed silent after its start message) must end start() with an error the
 * page can act on, not leave it waiting forever.
 */
const PROBE_TIMEOUT_MS = 30000;
const BACKEND_READY_TIMEOUT_MS = 60000;

/** What a run needs of the processor that started it. */
export interface RunHost {
  readonly input: MediaStreamTrack;
  readonly settings: ProcessorSettings;
  readonly backgrounds: BackgroundController;
  /** The live options as they are now (the page may change them while the worker starts). */
  liveOptions(): LiveOptions;
  /** Fires one of the processor's events on it. */
  dispatch(event: Event): void;
  /** Stops the processor: the input ended, the consumer stopped the output, or no worker could be kept. */
  stop(): Promise<void>;
}

/**
 * One started pipeline, from `start()` to `stop()`: the tier the ladder picks,
 * the transport, the supervised worker, the output track and the watch on the
 * input and output. `BlurProcessor` makes a new one for every start, so no
 * state of an earlier run (its losses, its tier, its abort signal) leaks into
 * the next.
 */
export class PipelineRun {
  private readonly host: RunHost;
  private readonly input: MediaStreamTrack;
  private readonly settings: ProcessorSettings;
  private readonly aborter = new AbortController();
  private supervisor: WorkerSupervisor | null = null;
  private transport: Transport | null = null;
  private output: MediaStreamTrack | null = null;
  private currentTier: Tier | null = null;
  private lastRefused: LadderDecision['refused'] = [];
  /** The registered backends the worker reported, with their rungs: what a backend's tier is read from. */
  private probedBackends: readonly ProbedBackend[] = [];
  /** The segmenter the ladder planned; every (re)started worker follows it. */
  private segmenterPlan: SegmenterPlan = 'by-accelerator';
  private latestStats: PipelineStats = EMPTY_STATS;
  private stopped = false;
  private inputEndReported = false;
  private inputEndWatch: ReturnType<typeof setInterval> | null = null;

  constructor(host: RunHost) {
    this.host = host;
    this.input = host.input;
    this.settings = host.settings;
  }

  get tier(): Tier | null {
    return this.currentTier;
  }

  get stats(): PipelineStats {
    return this.latestStats;
  }

  get track(): MediaStreamTrack | null {
    return this.output;
  }

  /** Picks a tier, starts the worker and resolves with the processed track once its first frame is out. */
  async start(): Promise<MediaStreamTrack> {
    if (this.input.readyState === 'ended') throw new BlurError('camera-ended', 'The input track has already ended; pass a live video track.');
    const signal = this.aborter.signal;
    // A bad assets-url is the page's to fix: refuse it before any worker starts.
    this.assets();
    const supervisor = new WorkerSupervisor(this.supervisorHost(), signal);
    this.supervisor = supervisor;
    const bridge = supervisor.spawn();
    const probed = bridge.once('probed', signal);
    bridge.send({ type: 'probe' });
    const { capabilities } = await this.withinDeadline(probed, PROBE_TIMEOUT_MS, 'answered no capability probe').catch(rethrowAsBlurError);
    this.probedBackends = capabilities.backends;

    const decision = chooseTier({ page: detectPageCapabilities(), worker: capabilities, maxTier: this.settings.maxTier, segmenter: this.settings.segmenter });
    if (decision.tier === 5 || !decision.transport || !decision.segmenter) {
      this.announceTier(5, decision.refused);
      const why = decision.refused.map((r) => `tier ${r.tier}: ${r.reason}`).join('; ');
      throw new BlurError('unsupported', `Background blur is not available in this browser (${why}).`);
    }
    supervisor.backends = decision.backends;
    this.segmenterPlan = decision.segmenter;
    const sendFrame = (frame: VideoFrame): void => {
      // To whichever worker runs now; a frame that can reach none is still ours to close.
      if (!this.supervisor?.send({ type: 'frame', frame }, [frame])) frame.close();
    };
    const transport = await openTransport(decision.transport, this.input, sendFrame, signal);
    this.transport = transport;
    const ready = bridge.once('backend-ready', signal);
    const firstFrame = bridge.once('first-frame', signal);
    // Awaited only after `ready`; when the worker fails first, both reject and this one must not go unhandled.
    firstFrame.catch(() => undefined);
    this.startWorker(bridge, decision.backends);
    this.watchInputAndOutput();
    // The tier is the ladder's only once the worker's backend has proven its blur; one that did not is a refused tier.
    const started = await this.withinDeadline(ready, BACKEND_READY_TIMEOUT_MS, 'did not start its renderer').catch(rethrowAsBlurError);
    const refusedByProof = started.refused.map((r) => ({ tier: tierOf(this.probedBackends, r.backend, transport.kind), reason: r.reason }));
    for (const r of refusedByProof) console.warn(`blur-camera: tier ${r.tier} refused: ${r.reason}.`);
    this.announceTier(tierOf(this.probedBackends, started.backend, transport.kind), [...decision.refused, ...refusedByProof]);
    this.output = await transport.output;
    try {
      await this.awaitFirstFrame(firstFrame.catch(rethrowAsBlurError));
    } catch (error) {
      if (!(error instanceof StuckWorker)) throw error;
      // The W3C transport's output track is the worker's own: a new worker could not write to it.
      if (!transport.reconnectable) throw new BlurError('worker-crashed', `${error.message}. Call start() to try again.`);
      await this.replaceStuckWorker(supervisor, decision.backends, error.message);
    }
    supervisor.arm();
    return this.output;
  }

  /**
   * A worker that made no first frame from a camera that sends pictures is
   * replaced once, on the same transport and backends; the replacement gets
   * the whole first-frame wait again, and a second failure is start()'s error.
   * (A Firefox worker once proved its renderer and then never asked for a
   * frame, while its twin in the next run worked at once.)
   */
  private async replaceStuckWorker(supervisor: WorkerSupervisor, backends: readonly BackendName[], why: string): Promise<void> {
    const message = `${why}; restarted it. Nothing was sent meanwhile.`;
    console.warn(`blur-camera: ${message}`);
    this.emit('error', { type: 'worker-crashed', message, recovered: true });
    const bridge = await this.withinDeadline(supervisor.respawn(), PROBE_TIMEOUT_MS, 'answered no capability probe').catch(rethrowAsBlurError);
    const signal = this.aborter.signal;
    const ready = bridge.once('backend-ready', signal);
    const firstFrame = bridge.once('first-frame', signal);
    firstFrame.catch(() => undefined);
    this.startWorker(bridge, backends, { replacesStuck: true });
    await this.withinDeadline(ready, BACKEND_READY_TIMEOUT_MS, 'did not start its renderer').catch(rethrowAsBlurError);
    const stuckAgain = await this.awaitFirstFrame(firstFrame.catch(rethrowAsBlurError)).then(() => null, (error: unknown) => error);
    if (stuckAgain instanceof StuckWorker) throw new BlurError('worker-crashed', `${stuckAgain.message}, twice. Call start() to try again; if this repeats, reload the page.`);
    if (stuckAgain) throw stuckAgain;
  }

  /** Sends a (new) worker its start message, joined to the transport. */
  private startWorker(bridge: WorkerBridge, backends: readonly BackendName[], { replacesStuck = false } = {}): void {
    if (!this.transport) return;
    const { init, transfer } = this.transport.connect(bridge, this.aborter.signal);
    const { profile, renderer, adaptive } = this.settings;
    const testHooks = replacesStuck ? withoutFirstWorkerDelays(this.settings.testHooks) : this.settings.testHooks;
    const start = { type: 'start', transport: init, backends, options: this.host.liveOptions(), background: this.host.backgrounds.forWorker(), assets: this.assets(), profile, renderer, segmenter: this.segmenterPlan, adaptive, inputFrameRate: this.input.getSettings().frameRate ?? null, testHooks } as const;
    bridge.send(start, transfer);
    this.host.backgrounds.refresh();
  }

  private supervisorHost(): SupervisorHost {
    return {
      onMessage: (message) => this.onWorkerMessage(message),
      canReconnect: () => this.transport?.reconnectable ?? false,
      restart: (bridge, backends) => this.startWorker(bridge, backends),
      onReplaced: (message) => {
        // The dead worker's counts are gone with it; the new one starts from zero.
        this.latestStats = EMPTY_STATS;
        console.warn(`blur-camera: ${message}`);
        this.emit('error', { type: 'worker-crashed', message, recovered: true });
      },
      onSteppedDown: (backend, message) => this.changeTier(backend, message),
      onLost: (message) => {
        this.latestStats = EMPTY_STATS;
        console.error(`blur-camera: ${message}`);
        this.emit('error', { type: 'worker-crashed', message });
        void this.host.stop();
      },
    };
  }

  /**
   * The input ended (unplugged, revoked, or the caller's track.stop(), which
   * fires no `ended`), or the consumer stopped the output (hung up, replaced
   * the track): neither a transferred clone nor canvas capture's `<video>`
   * notices, so both tracks' states are watched, whatever the transport.
   */
  private watchInputAndOutput(): void {
    this.input.addEventListener('ended', this.onInputEnded);
    this.inputEndWatch = setInterval(() => {
      if (this.input.readyState === 'ended') this.onInputEnded();
      else if (this.output?.readyState === 'ended' && !this.supervisor?.replacing) this.onOutputStopped();
    }, 250);
  }

  /** The input ended: say so once, then stop; never keep sending a stale frame. */
  private readonly onInputEnded = (): void => {
    if (this.stopped || this.inputEndReported) return;
    this.inputEndReported = true;
    const message = 'The camera track ended. Reconnect the camera, then call start().';
    console.error(`blur-camera: ${message}`);
    this.emit('error', { type: 'camera-ended', message });
    void this.host.stop();
  };

  /** Whoever holds the output stopped it: release the worker and the transport, and say so with `ended`. */
  private onOutputStopped(): void {
    if (this.stopped) return;
    console.info('blur-camera: the processed track was stopped by its consumer; the blur pipeline stopped too.');
    void this.host.stop().then(() => this.host.dispatch(new Event('ended')));
  }

  private announceTier(tier: Tier, refused: LadderDecision['refused']): void {
    this.currentTier = tier;
    this.lastRefused = refused;
    const last = refused[refused.length - 1];
    this.emit('tierchange', { tier, reason: last ? `tier ${last.tier} refused: ${last.reason}` : 'the best tier is available', refused });
  }

  /** The pipeline stepped down to `backend` (a GPU fault, or a second dead worker): the tier it left joins the refused. Returns the new tier (null after stop). */
  private changeTier(backend: BackendName, reason: string): Tier | null {
    if (!this.transport) return null;
    const tier = tierOf(this.probedBackends, backend, this.transport.kind);
    const previous = this.currentTier;
    this.currentTier = tier;
    this.lastRefused = [...this.lastRefused, ...(previous ? [{ tier: previous, reason }] : [])];
    this.emit('tierchange', { tier, reason, refused: this.lastRefused });
    return tier;
  }

  /**
   * The first output frame: a camera that sends nothing fails after
   * FIRST_FRAME_TIMEOUT_MS; a worker that reads frames, or has not yet asked
   * for one while the camera shows a picture, gets FIRST_FRAME_SLOW_WORKER_MS
   * more. (A Firefox worker on a loaded machine once asked for no frame in
   * 10 s while the hidden video had its picture: that was a busy worker, not
   * a silent camera.)
   */
  private async awaitFirstFrame(firstFrame: Promise<unknown>): Promise<void> {
    const slow = new Error('slow');
    try {
      await withDeadline(firstFrame, FIRST_FRAME_TIMEOUT_MS, () => (this.cameraIsSending() ? slow : this.noFirstFrame()));
    } catch (error) {
      if (error !== slow) throw error;
      console.warn(`blur-camera: the first processed frame is taking over ${FIRST_FRAME_TIMEOUT_MS / 1000} s (the worker has read ${this.latestStats.framesIn} camera frames, and the camera is sending pictures); this machine is busy. Waiting up to ${FIRST_FRAME_SLOW_WORKER_MS / 1000} s more.`);
      const seconds = (FIRST_FRAME_TIMEOUT_MS + FIRST_FRAME_SLOW_WORKER_MS) / 1000;
      // The camera sends and the worker made nothing of it: the worker's fault, which a new worker may not share.
      await withDeadline(firstFrame, FIRST_FRAME_SLOW_WORKER_MS, () => (this.cameraIsSending() ? new StuckWorker(this.workerMadeNoFrame(seconds)) : this.noFirstFrame(seconds)));
    }
  }

  /** `answer` from the worker, or a `worker-crashed` BlurError once `ms` (or the test hook's deadline) has passed without it. */
  private withinDeadline<T>(answer: Promise<T>, ms: number, what: string): Promise<T> {
    const deadline = this.settings.testHooks.workerAnswerDeadlineMs ?? ms;
    return withDeadline(answer, deadline, () => new BlurError('worker-crashed', `The blur worker ${what} in ${deadline / 1000} s; it is stopped. Call start() to try again; if this repeats, reload the page.`));
  }

  /** The camera is known to send pictures: the worker has read some, or the transport sees them. A missing first frame is then the worker's. */
  private cameraIsSending(): boolean {
    return this.latestStats.framesIn > 0 || (this.transport?.cameraHasPicture?.() ?? false);
  }

  /** Why no frame came out in time: the input sent none, or the worker made none of what it got. */
  private noFirstFrame(seconds = FIRST_FRAME_TIMEOUT_MS / 1000): BlurError {
    if (!this.cameraIsSending()) {
      // What the track says of itself tells a covered or paused camera from one that is simply silent.
      const { muted, enabled, readyState } = this.input;
      const state = muted || !enabled ? ` (its track is ${[muted ? 'muted' : '', enabled ? '' : 'disabled'].filter(Boolean).join(' and ')})` : readyState === 'live' ? '' : ` (its track is ${readyState})`;
      return new BlurError('camera-ended', `The camera sent no picture in ${seconds} s${state}${this.transportProgress()}. Check that no other app holds it and that it is not covered, then call start().`);
    }
    return new BlurError('worker-crashed', `${this.workerMadeNoFrame(seconds)}. Call start() to try again.`);
  }

  private workerMadeNoFrame(seconds: number): string {
    return `The blur worker made no frame in ${seconds} s from the ${this.latestStats.framesIn} it read${this.transportProgress()}`;
  }

  /** What the transport has seen, in brackets for a message ('' when it has nothing to add). */
  private transportProgress(): string {
    const progress = this.transport?.progress?.();
    return progress ? ` (${progress})` : '';
  }

  /** The asset URLs the page set (null: the shipped ones); throws BlurError `invalid-config` for an assets-url that may not be used. */
  private assets(): AssetUrls | null {
    return resolveAssetUrls(this.settings.assetsUrl, this.settings.allowCrossOriginAssets);
  }

  /** Posts to the running worker; false when there is none (the caller still owns what it meant to transfer). */
  send(message: MainToWorker, transfer: Transferable[] = []): boolean {
    return this.supervisor?.send(message, transfer) ?? false;
  }

  /** Test hook: terminates the worker as a crash would, without telling anyone. */
  terminateWorkerForTest(): void {
    this.supervisor?.terminateForTest();
  }

  /** Releases everything the run holds: the output ends first, then the worker, then the transport. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.aborter.abort(new DOMException('The processor was stopped', 'AbortError'));
    if (this.inputEndWatch) clearInterval(this.inputEndWatch);
    this.inputEndWatch = null;
    this.input.removeEventListener('ended', this.onInputEnded);
    // The output ends first: no frame leaves after stop(), and WebKit's track from a worker's VideoTrackGenerator
    // sometimes stayed `live` when stopped after its worker was terminated.
    this.output?.stop();
    this.output = null;
    await this.supervisor?.stop();
    this.supervisor = null;
    this.transport?.stop();
    this.transport = null;
  }

  private onWorkerMessage(message: WorkerToMain): void {
    if (message.type === 'stats') this.latestStats = message.stats;
    if (this.transport) this.transport.onWorkerMessage(message);
    else if (message.type === 'output-frame') message.frame.close();
    if (message.type === 'backend-changed') {
      const tier = this.changeTier(message.backend, message.reason);
      console.warn(`blur-camera: ${message.reason}. Now on tier ${tier ?? '?'}.`);
    }
    if (message.type !== 'error') return;
    if (message.errorType === 'camera-ended') {
      this.onInputEnded();
      return;
    }
    // A worker that crashes under a running pipeline is replaced, not fatal.
    if (message.errorType === 'worker-crashed' && !message.recovered && this.output && this.supervisor?.armed) {
      void this.supervisor.replace(message.message);
      return;
    }
    const detail: BlurErrorDetail = { type: message.errorType, message: message.message, ...(message.recovered ? { recovered: true } : {}), ...(message.cause ? { cause: message.cause } : {}) };
    if (message.recovered) console.warn(`blur-camera: ${message.message}`);
    else console.error(`blur-camera: ${message.message}`);
    this.emit('error', detail);
    // A fatal fault leaves no safe way to render: end the output rather than risk a raw frame.
    if (message.fatal && this.output) void this.host.stop();
  }


  private emit<K extends 'tierchange' | 'error'>(type: K, detail: BlurProcessorEventMap[K]['detail']): void {
    this.host.dispatch(new CustomEvent(type, { detail }));
  }
}

/** A worker that made no first frame from a camera that sends pictures: it is replaced once before start() gives up. */
class StuckWorker extends Error {}

/** The test hooks that hold back a first frame act on the first worker only: the one that replaces it is not held back. */
function withoutFirstWorkerDelays(hooks: PipelineTestHooks): PipelineTestHooks {
  const { delayFirstOutputMs: _output, delayFirstFrameRequestMs: _request, ...rest } = hooks;
  return rest;
}
