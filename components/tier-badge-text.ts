import type { Tier } from '../src/capability-ladder.js';
import type { BlurCameraState } from '../src/events.js';

/**
 * What the badge tells the user, per tier and state. Short and plain; a page
 * replaces any of them through the `badgeText` property or the `badge` slot.
 */
export interface BadgeTexts {
  readonly starting: string;
  readonly stopped: string;
  readonly error: string;
  readonly tiers: Readonly<Record<Tier, string>>;
}

export const DEFAULT_BADGE_TEXTS: BadgeTexts = {
  starting: 'Starting camera…',
  stopped: 'Camera off',
  error: 'Background blur stopped',
  tiers: {
    1: 'Background blur is on',
    2: 'Background blur is on',
    3: 'Background blur is on',
    4: 'Background blur is using your CPU; quality may be reduced',
    5: 'Background blur isn’t available in this browser',
  },
};

export function badgeText(texts: BadgeTexts, state: BlurCameraState, tier: Tier | null): string {
  if (tier === 5) return texts.tiers[5];
  switch (state) {
    case 'idle':
    case 'starting':
      return texts.starting;
    case 'stopped':
      return texts.stopped;
    case 'error':
      return texts.error;
    case 'running':
      return tier ? texts.tiers[tier] : texts.starting;
  }
}
