import type { Tier, RefusedTier } from './capability-ladder.js';
import type { BlurErrorType } from './blur-error.js';

export type BlurCameraState = 'idle' | 'starting' | 'running' | 'error' | 'stopped';

export interface TrackReadyDetail {
  /** The processed stream, ready for `RTCPeerConnection.addTrack` or a `<video>`. */
  readonly stream: MediaStream;
  readonly track: MediaStreamTrack;
  readonly tier: Tier;
}

export interface TierChangeDetail {
  readonly tier: Tier;
  /** Why this tier, in a sentence: the reason the next better tier was refused, or the fault that stepped down. */
  readonly reason: string;
  readonly refused: readonly RefusedTier[];
}

/** What the output shows behind the person: the blur, the room as it is, or a colour, picture or video. */
export type BackgroundEffect = 'blur' | 'none' | 'replaced';

export interface EffectChangeDetail {
  readonly effect: BackgroundEffect;
}

export interface StateChangeDetail {
  readonly state: BlurCameraState;
  readonly previous: BlurCameraState;
}

export interface BlurErrorDetail {
  readonly type: BlurErrorType;
  readonly message: string;
  readonly cause?: unknown;
  /** True when the pipeline mended itself (a dead worker was replaced) and the output keeps running. */
  readonly recovered?: boolean;
}

/** Events of the engine, `BlurProcessor`. */
export interface BlurProcessorEventMap {
  tierchange: CustomEvent<TierChangeDetail>;
  error: CustomEvent<BlurErrorDetail>;
  /** What the output shows behind the person changed: a picture finished loading, failed (back to the blur), or `none` took effect. */
  effectchange: CustomEvent<EffectChangeDetail>;
  /** Whoever held the processed track stopped it; the processor has stopped too (the input is the caller's to stop). */
  ended: Event;
}

/** Events of the element, `<blur-camera>`. */
export interface BlurCameraEventMap extends Omit<BlurProcessorEventMap, 'ended'> {
  trackready: CustomEvent<TrackReadyDetail>;
  statechange: CustomEvent<StateChangeDetail>;
}
