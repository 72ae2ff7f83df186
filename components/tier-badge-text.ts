import type { Tier } from '../src/capability-ladder.js';
import type { BlurErrorType } from '../src/blur-error.js';
import type { BlurCameraState } from '../src/events.js';

/**
 * What the badge tells the user, per tier and state. Short and plain; a page
 * replaces any of them through the `badgeText` property or the `badge` slot.
 */
export interface BadgeTexts {
  readonly starting: string;
  readonly stopped: string;
  /** The error state's text when no text for the error's type is given. */
  readonly error: string;
  /** The error state's text per `error` type: what happened and what the user can do. */
  readonly errors: Readonly<Partial<Record<BlurErrorType, string>>>;
  readonly tiers: Readonly<Record<Tier, string>>;
  /** While running with `background="none"`: the user turned the effect off, and the room shows. */
  readonly effectOff?: string;
  /** While running with a colour or picture behind the person. */
  readonly replaced?: string;
}

/** What the output shows behind the person, for the badge. */
export type BadgeEffect = 'blur' | 'none' | 'replaced';

export const DEFAULT_BADGE_TEXTS: BadgeTexts = {
  starting: 'Starting camera…',
  stopped: 'Camera off',
  error: 'Background blur stopped',
  errors: {
    'permission-denied': 'Camera blocked: allow it in the site settings, then try again',
    'no-camera': 'No camera found: connect one, then try again',
    'camera-busy': 'Camera in use by another app: close it there, then try again',
    'camera-ended': 'Camera disconnected: reconnect it, then try again',
    'gpu-lost': 'Background blur stopped: the graphics card reset; try again',
    'worker-crashed': 'Background blur stopped unexpectedly; try again',
  },
  tiers: {
    1: 'Background blur is on',
    2: 'Background blur is on',
    3: 'Background blur is on',
    4: 'Background blur is using your CPU; quality may be reduced',
    5: 'Background blur isn’t available in this browser',
  },
  effectOff: 'Background effect off',
  replaced: 'Background replaced',
};

export function badgeText(texts: BadgeTexts, state: BlurCameraState, tier: Tier | null, errorType: BlurErrorType | null = null, effect: BadgeEffect = 'blur'): string {
  if (tier === 5) return texts.tiers[5];
  switch (state) {
    case 'idle':
    case 'starting':
      return texts.starting;
    case 'stopped':
      return texts.stopped;
    case 'error':
      return (errorType && texts.errors?.[errorType]) || texts.error;
    case 'running':
      if (effect === 'none') return texts.effectOff ?? DEFAULT_BADGE_TEXTS.effectOff!;
      // Tier 4's text (the CPU is doing the work) matters more than which effect runs.
      if (effect === 'replaced' && tier !== 4) return texts.replaced ?? DEFAULT_BADGE_TEXTS.replaced!;
      return tier ? texts.tiers[tier] : texts.starting;
  }
}
