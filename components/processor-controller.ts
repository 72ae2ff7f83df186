import type { ReactiveControllerHost } from 'lit';
import { BlurProcessor, type BlurProcessorOptions } from '../src/blur-processor.js';
import type { BlurErrorType } from '../src/blur-error.js';
import type { Tier } from '../src/capability-ladder.js';
import type { BackgroundEffect } from '../src/events.js';
import type { PipelineStats } from '../contract/stats.js';

/** Faults after which the pipeline has stopped itself (unless it says `recovered`): the element must stop too. */
const FATAL: ReadonlySet<BlurErrorType> = new Set<BlurErrorType>(['camera-ended', 'gpu-lost', 'worker-crashed']);

/** What the element decides when its pipeline ends; the controller only tells it, and only for the current processor. */
export interface ProcessorEndings {
  /** A fault the pipeline could not mend stopped it (`error` has been forwarded already). */
  fault(type: BlurErrorType): void;
  /** The page (or a call that hung up) stopped the processed track; the processor has stopped itself. */
  consumerStopped(): void;
  /** The processed track ended without either of those: the pipeline died quietly. */
  outputEnded(): void;
}

/**
 * Owns `<blur-camera>`'s BlurProcessor: one per start, built on the camera
 * the element holds, stopped by stop(), and a new one on the next start. Its
 * `tierchange`, `effectchange` and `error` are re-dispatched on the element,
 * and its tier and effect kept for the badge, but only while it is the
 * current processor: a processor being stopped says nothing more.
 *
 * It uses its host as Lit's controllers do (requestUpdate when the tier or
 * effect changes) but needs no lifecycle hook: PresenceController decides
 * when the element stops, so it is not registered with addController.
 */
export class ProcessorController {
  private processor: BlurProcessor | null = null;
  private currentTier: Tier | null = null;
  private currentEffect: BackgroundEffect = 'blur';

  constructor(
    private readonly host: ReactiveControllerHost & EventTarget,
    private readonly endings: ProcessorEndings,
  ) {}

  /** The running processor, or null before start() and after stop(); for live options. */
  get current(): BlurProcessor | null {
    return this.processor;
  }

  /** The tier the current (or last) processor announced; null from forgetTier() until one is chosen. */
  get tier(): Tier | null {
    return this.currentTier;
  }

  /** What the output shows behind the person, as the processor reports it: the badge says this, not what was asked for. */
  get effect(): BackgroundEffect {
    return this.currentEffect;
  }

  get stats(): PipelineStats | null {
    return this.processor?.stats ?? null;
  }

  /** A new start has no tier until the ladder picks one: the badge and `.tier` say so from the start on. */
  forgetTier(): void {
    this.setTier(null);
  }

  /**
   * Builds a processor on `camera` and starts it; resolves with the processed
   * track. Rejects as BlurProcessor.start() does (it has announced its own
   * errors by then). The processor stays `current` either way until stop().
   */
  start(camera: MediaStreamTrack, options: BlurProcessorOptions): Promise<MediaStreamTrack> {
    const processor = new BlurProcessor(camera, options);
    this.processor = processor;
    this.setEffect(processor.effect);
    processor.addEventListener('effectchange', (event) => {
      if (this.processor !== processor) return;
      this.setEffect(event.detail.effect);
      this.host.dispatchEvent(new CustomEvent('effectchange', { detail: event.detail }));
    });
    processor.addEventListener('tierchange', (event) => {
      if (this.processor !== processor) return;
      this.setTier(event.detail.tier);
      this.host.dispatchEvent(new CustomEvent('tierchange', { detail: event.detail }));
    });
    processor.addEventListener('error', (event) => {
      if (this.processor !== processor) return;
      this.host.dispatchEvent(new CustomEvent('error', { detail: event.detail }));
      if (!event.detail.recovered && FATAL.has(event.detail.type)) this.endings.fault(event.detail.type);
    });
    processor.addEventListener('ended', () => {
      if (this.processor === processor) this.endings.consumerStopped();
    });
    return processor.start().then((track) => {
      track.addEventListener('ended', () => {
        if (this.processor === processor) this.endings.outputEnded();
      });
      return track;
    });
  }

  /**
   * Stops the current processor (its output ends, its workers terminate) and
   * forgets it at once, so that nothing it says while stopping reaches the
   * element. Undefined when none ran.
   */
  stop(): Promise<void> | undefined {
    const processor = this.processor;
    this.processor = null;
    return processor?.stop();
  }

  private setTier(tier: Tier | null): void {
    if (tier === this.currentTier) return;
    this.currentTier = tier;
    this.host.requestUpdate();
  }

  private setEffect(effect: BackgroundEffect): void {
    if (effect === this.currentEffect) return;
    this.currentEffect = effect;
    this.host.requestUpdate();
  }
}
