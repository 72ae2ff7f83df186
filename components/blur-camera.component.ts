import { LitElement, html, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import type { BackgroundValue } from '../src/background/value.js';
import { BlurError, type BlurErrorType } from '../src/blur-error.js';
import type { Tier } from '../src/capability-ladder.js';
import type { BlurCameraEventMap, BlurCameraState, BlurErrorDetail } from '../src/events.js';
import { normalizeModel, normalizeSigma, normalizeView } from '../src/option-values.js';
import { SIGMA_MAX, SIGMA_MIN, type OutputView, type SegmentationModel, type SegmenterPreference } from '../contract/options.js';
import type { PipelineStats } from '../contract/stats.js';
import { blurCameraStyles } from './blur-camera.styles.js';
import { CameraController } from './camera-controller.js';
import { cameraRequest, processorOptions } from './engine-options.js';
import { PresenceController } from './presence-controller.js';
import { ProcessorController } from './processor-controller.js';
import { DEFAULT_BADGE_TEXTS, badgeText, type BadgeTexts } from './tier-badge-text.js';

const autostartConverter = {
  fromAttribute: (value: string | null): boolean => value !== 'false',
  toAttribute: (value: boolean): string | null => (value ? null : 'false'),
};

/**
 * A webcam preview with the background blurred on the device. It owns the
 * camera (getUserMedia), runs the blur in a worker, and exposes the processed
 * track as `.stream` for a `<video>` or `RTCPeerConnection.addTrack`.
 *
 * @tagname blur-camera
 * @fires trackready - the processed track is live; `detail`: `{ stream, track, tier }`
 * @fires tierchange - the pipeline picked or stepped down a tier; `detail`: `{ tier, reason, refused }`
 * @fires statechange - `state` changed; `detail`: `{ state, previous }`
 * @fires effectchange - what the output shows behind the person changed; `detail`: `{ effect }` (`blur`, `none` or `replaced`), which the badge says too
 * @fires error - something failed; `detail.type` is one of `permission-denied`, `no-camera`, `camera-busy`, `camera-ended`, `model-load`, `gpu-lost`, `worker-crashed`, `unsupported`, `background-load` (the background picture failed to load; the blur stays and the element keeps running), `invalid-config` (an `assets-url` on another origin or not http(s); nothing started)
 * @slot badge - replaces the tier badge's text
 * @csspart preview - the `<video>` showing the processed stream
 * @csspart controls - the row holding the slider
 * @csspart slider - the blur-strength range input
 * @csspart badge - the tier/status badge, a polite live region
 * @cssprop [--blur-camera-radius=8px] - corner radius of the preview
 * @cssprop [--blur-camera-background=#111] - what shows before the first frame
 * @cssprop [--blur-camera-aspect-ratio=16 / 9] - the preview's aspect ratio
 * @cssprop [--blur-camera-badge-background=rgb(0 0 0 / 60%)] - the badge's background
 * @cssprop [--blur-camera-badge-color=#fff] - the badge's text colour
 * @cssprop [--blur-camera-badge-top=8px] - the badge's distance from the top
 * @cssprop [--blur-camera-badge-left=8px] - the badge's distance from the left
 * @cssprop [--blur-camera-accent=#4b8df8] - the slider's accent colour
 */
export class BlurCamera extends LitElement {
  static override styles = blurCameraStyles;

  /** Blur strength in pixels: 4 barely there, 8 medium, 16 heavy. Clamped to 2–32. */
  @property({ type: Number, reflect: true }) sigma = 8;
  /** Camera width to ask for (ideal). */
  @property({ type: Number }) width = 1280;
  /** Camera height to ask for (ideal). */
  @property({ type: Number }) height = 720;
  /** Camera frame rate to ask for (ideal). */
  @property({ type: Number, attribute: 'frame-rate' }) frameRate = 30;
  /** A camera's deviceId from `enumerateDevices()`; empty picks the default camera. */
  @property({ attribute: 'device-id' }) deviceId = '';
  /** `user` or `environment` on phones; empty leaves it to the browser. */
  @property({ attribute: 'facing-mode' }) facingMode = '';
  /** `general` (256×256) or `landscape` (144×256, faster). */
  @property() model: SegmentationModel = 'general';
  /** The best tier allowed: 1 allows all, 4 forces the CPU path. */
  @property({ type: Number, attribute: 'max-tier' }) maxTier: Tier = 1;
  /**
   * Which runtime segments: `auto` (MediaPipe on a hardware GPU, LiteRT.js on
   * WebAssembly where the model runs on the CPU or the browser gives a worker
   * no WebGL), `mediapipe` or `litert`. Read at start.
   */
  @property() segmenter: SegmenterPreference = 'auto';
  /**
   * What stands behind the person: `blur` (the default), `none` (the effect
   * off; the badge says so), a CSS colour (`#1e3a5f`, `rebeccapurple`), or an
   * image URL (fetched with CORS). The property also takes an ImageBitmap, a
   * Blob, an `<img>` or a `<video>` (which loops). Pictures cover the frame,
   * centred, keeping their aspect ratio. A picture that fails to load fires
   * `error` with `type: 'background-load'` and the blur stays. Live.
   * @type {'blur' | 'none' | string | ImageBitmap | Blob | HTMLImageElement | HTMLVideoElement}
   */
  @property({ attribute: 'background' }) background: BackgroundValue | null = 'blur';
  /** `composite`, or `mask` to show the refined person mask. */
  @property() view: OutputView = 'composite';
  /** Mirror the preview (not the stream), as a selfie view. */
  @property({ type: Boolean, reflect: true }) mirrored = false;
  /** Where the wasm and model files are served; default: next to blur-camera.js. */
  @property({ attribute: 'assets-url' }) assetsUrl = '';
  /**
   * Lets `assets-url` name another origin. A property only, never an
   * attribute: the wasm there sees every camera frame, so only page code may
   * trust another server with it.
   */
  @property({ attribute: false }) allowCrossOriginAssets = false;
  /** Start the camera when connected; `autostart="false"` waits for `start()`. */
  @property({ converter: autostartConverter }) autostart = true;
  /** Hide the slider row, for sites that bring their own controls. */
  @property({ type: Boolean, attribute: 'hide-controls', reflect: true }) hideControls = false;
  /** The accessible label of the slider. */
  @property({ attribute: 'slider-label' }) sliderLabel = 'Blur strength';
  /** The preview's text alternative. */
  @property({ attribute: 'preview-label' }) previewLabel = 'Camera preview with the background blurred';
  /** The badge's texts per state and tier, for translation. */
  @property({ attribute: false }) badgeTexts: BadgeTexts = DEFAULT_BADGE_TEXTS;

  @state() private currentState: BlurCameraState = 'idle';
  @state() private outputStream: MediaStream | null = null;

  @query('video') private preview!: HTMLVideoElement;

  /** The type of the error that stopped the element, for the badge; cleared on start. */
  @state() private lastErrorType: BlurErrorType | null = null;
  /** The start() in flight, so that a second call joins it; stop() lets go of it. */
  private starting: Promise<void> | null = null;
  // Arrival starts the camera (autostart); leaving the page, not a move, stops it.
  private readonly presence = new PresenceController(
    this,
    () => {
      if (this.autostart && this.currentState !== 'starting' && this.currentState !== 'running') void this.start();
    },
    () => void this.stop(),
  );
  private readonly camera = new CameraController(() => {
    this.fail(new BlurError('camera-ended', 'The camera stopped (unplugged, or taken by the system). Reconnect it, then call start().'));
  });
  private readonly processing = new ProcessorController(this, {
    fault: (type) => {
      // The pipeline has stopped itself; release the camera too and say so.
      if (this.currentState !== 'running') return;
      this.lastErrorType = type;
      this.setState('error');
      void this.stop();
    },
    consumerStopped: () => void this.stop(),
    outputEnded: () => {
      if (this.currentState !== 'running') return;
      this.fail(new BlurError('worker-crashed', 'The blur pipeline stopped; the output ended without sending an unblurred frame. Call start() to try again.'), false);
    },
  });

  /** The processed stream, or null until `trackready`. */
  get stream(): MediaStream | null {
    return this.outputStream;
  }

  /** The running tier (1 best … 5 unsupported), or null before one is chosen. */
  get tier(): Tier | null {
    return this.processing.tier;
  }

  /** `idle`, `starting`, `running`, `error` or `stopped`. */
  get state(): BlurCameraState {
    return this.currentState;
  }

  /** Frame counts and per-stage milliseconds (p50, p95). */
  get stats(): PipelineStats | null {
    return this.processing.stats;
  }

  /** Opens the camera and starts the blur. Resolves when running or failed (see `error`). Calling it while running does nothing. */
  start(): Promise<void> {
    if (this.currentState === 'running') return Promise.resolve();
    if (this.starting) return this.starting;
    const starting = this.startOnce().finally(() => {
      if (this.starting === starting) this.starting = null;
    });
    this.starting = starting;
    return starting;
  }

  /** Stops the blur and the camera; every track ends and the worker terminates. */
  async stop(): Promise<void> {
    // A start() still waiting for the camera is void now; the next start() begins its own.
    this.starting = null;
    // Stop the pipeline before the camera, so that the worker does not take the camera's end for a fault.
    const stopped = this.processing.stop();
    this.camera.release();
    this.outputStream = null;
    if (this.preview) this.preview.srcObject = null;
    if (this.currentState !== 'idle' && this.currentState !== 'error') this.setState('stopped');
    await stopped;
  }

  override addEventListener<K extends keyof BlurCameraEventMap>(
    type: K,
    listener: (this: BlurCamera, event: BlurCameraEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener<K extends keyof HTMLElementEventMap>(
    type: K,
    listener: (this: BlurCamera, event: HTMLElementEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void {
    super.addEventListener(type, listener, options);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const processor = this.processing.current;
    if (changed.has('sigma')) {
      const sigma = normalizeSigma(this.sigma);
      if (sigma !== this.sigma) this.sigma = sigma;
      if (processor) processor.sigma = sigma;
    }
    if (changed.has('view') && processor) processor.view = normalizeView(this.view);
    if (changed.has('model') && processor) processor.model = normalizeModel(this.model);
    if (changed.has('background') && processor) processor.background = this.background ?? 'blur';
  }

  protected override updated(): void {
    if (this.preview && this.preview.srcObject !== this.outputStream) {
      this.preview.srcObject = this.outputStream;
      if (this.outputStream) void this.preview.play().catch(() => undefined);
    }
  }

  protected override render(): unknown {
    const text = badgeText(this.badgeTexts, this.currentState, this.processing.tier, this.lastErrorType, this.processing.effect);
    return html`
      <div class="frame">
        <video part="preview" aria-label=${this.previewLabel} autoplay muted playsinline></video>
        <span part="badge" role="status" aria-live="polite"><slot name="badge">${text}</slot></span>
      </div>
      <div part="controls">
        <label>
          <span class="slider-label">${this.sliderLabel}</span>
          <input
            part="slider"
            type="range"
            min=${SIGMA_MIN}
            max=${SIGMA_MAX}
            step="1"
            .value=${String(this.sigma)}
            aria-valuetext=${`${this.sigma} of ${SIGMA_MAX}`}
            @input=${this.onSlider}
          />
        </label>
      </div>
    `;
  }

  private onSlider(event: Event): void {
    this.sigma = Number((event.target as HTMLInputElement).value);
  }

  private async startOnce(): Promise<void> {
    this.processing.forgetTier();
    this.lastErrorType = null;
    this.setState('starting');
    // Every stop() releases the camera, so "the camera of this start is still held" means "no stop() came since".
    let camera: MediaStreamTrack | null = null;
    try {
      camera = await this.camera.open(cameraRequest(this));
      // Null: stop() came while the camera prompt was open, and the controller turned the late camera off.
      if (!camera || !this.camera.holds(camera)) return;
      const track = await this.processing.start(camera, processorOptions(this));
      if (!this.camera.holds(camera)) return;
      const stream = new MediaStream([track]);
      this.outputStream = stream;
      this.setState('running');
      this.dispatchEvent(new CustomEvent('trackready', { detail: { stream, track, tier: this.processing.current?.tier ?? 1 } }));
    } catch (error) {
      // A start that stop() overtook reports nothing (a stale camera's failure never gets here: open() gave null).
      if (camera && !this.camera.holds(camera)) return;
      if (error instanceof BlurError) {
        // The processor announces its own errors; camera errors are announced here.
        this.fail(error, !this.processing.current);
      } else if (!(error instanceof DOMException && error.name === 'AbortError')) {
        this.fail(new BlurError('worker-crashed', `blur-camera failed to start: ${String(error)}`, { cause: error }));
      }
    }
  }

  /** Stops everything and reports `error`; the output never falls back to the raw camera. */
  private fail(error: BlurError, announce = true): void {
    this.lastErrorType = error.type;
    if (announce) {
      console.error(`blur-camera: ${error.message}`);
      const detail: BlurErrorDetail = { type: error.type, message: error.message, ...(error.cause !== undefined ? { cause: error.cause } : {}) };
      this.dispatchEvent(new CustomEvent('error', { detail }));
    }
    this.setState('error');
    void this.stop();
  }

  private setState(next: BlurCameraState): void {
    const previous = this.currentState;
    if (previous === next) return;
    this.currentState = next;
    this.dispatchEvent(new CustomEvent('statechange', { detail: { state: next, previous } }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'blur-camera': BlurCamera;
  }
}
