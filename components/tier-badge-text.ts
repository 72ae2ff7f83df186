import type { BackgroundEffect } from '../src/events.js';
import type { Tier } from '../src/capability-ladder.js';
import type { BlurErrorType } from '../src/blur-error.js';
import type { BlurCameraState } from '../src/events.js';

/**
 * What the badge tells the user, per tier and state. Short and plain; a page
 * replaces any of them through the `badgeTexts` property or the `badge` slot.
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

/** What the output shows behind the person (see BlurProcessor's `effect`). */
export type BadgeEffect = BackgroundEffect;

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
    'invalid-config': 'Background blur is misconfigured on this page',
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

/**
 * The page's texts over the defaults, field by field: `null`, a partial object
 * or a missing tier falls back to the default text instead of throwing in render.
 */
export function completeBadgeTexts(texts: Partial<BadgeTexts> | null | undefined): BadgeTexts {
  const given: Partial<BadgeTexts> = texts && typeof texts === 'object' ? texts : {};
  const tiers: Partial<Record<Tier, unknown>> = given.tiers && typeof given.tiers === 'object' ? given.tiers : {};
  const errors = given.errors && typeof given.errors === 'object' ? given.errors : {};
  const text = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);
  const d = DEFAULT_BADGE_TEXTS;
  return {
    starting: text(given.starting, d.starting),
    stopped: text(given.stopped, d.stopped),
    error: text(given.error, d.error),
    errors: { ...d.errors, ...errors },
    tiers: { 1: text(tiers[1], d.tiers[1]), 2: text(tiers[2], d.tiers[2]), 3: text(tiers[3], d.tiers[3]), 4: text(tiers[4], d.tiers[4]), 5: text(tiers[5], d.tiers[5]) },
    effectOff: text(given.effectOff, d.effectOff!),
    replaced: text(given.replaced, d.replaced!),
  };
}

export function badgeText(given: BadgeTexts, state: BlurCameraState, tier: Tier | null, errorType: BlurErrorType | null = null, effect: BadgeEffect = 'blur'): string {
  const texts = completeBadgeTexts(given);
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
      if (effect === 'none') return texts.effectOff!;
      // Tier 4's text (the CPU is doing the work) matters more than which effect runs.
      if (effect === 'replaced' && tier !== 4) return texts.replaced!;
      return tier ? texts.tiers[tier] : texts.starting;
  }
}
