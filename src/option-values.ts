import { LIGHT_WRAP_STRENGTH, SIGMA_DEFAULT, SIGMA_MAX, SIGMA_MIN, type MaskRefinement, type OutputView, type SegmentationModel, type SegmenterPreference } from '../contract/options.js';
import type { Tier } from './capability-ladder.js';

/**
 * Turns what a page wrote (an attribute string, a property of any type) into a
 * value the pipeline can use: clamped or replaced by the default, with one
 * console warning that says what was wrong. It never throws.
 */

function warn(name: string, value: unknown, used: unknown): void {
  console.warn(`blur-camera: ${name}=${JSON.stringify(value)} is not valid; using ${JSON.stringify(used)}.`);
}

export function numberInRange(name: string, value: unknown, min: number, max: number, fallback: number): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n)) {
    if (value !== undefined && value !== null) warn(name, value, fallback);
    return fallback;
  }
  const clamped = Math.min(max, Math.max(min, n));
  if (clamped !== n) warn(name, value, clamped);
  return clamped;
}

export function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if ((allowed as readonly unknown[]).includes(value)) return value as T;
  if (value !== undefined && value !== null) warn(name, value, fallback);
  return fallback;
}

export const normalizeSigma = (value: unknown): number => numberInRange('sigma', value, SIGMA_MIN, SIGMA_MAX, SIGMA_DEFAULT);
export const normalizeView = (value: unknown): OutputView => oneOf('view', value, ['composite', 'mask'] as const, 'composite');
export const normalizeSegmenter = (value: unknown): SegmenterPreference => oneOf('segmenter', value, ['auto', 'mediapipe', 'litert'] as const, 'auto');
export const normalizeModel = (value: unknown): SegmentationModel => oneOf('model', value, ['general', 'landscape'] as const, 'general');
/** An unknown max-tier is ignored (all tiers allowed) rather than clamped: clamping 9 to 5 would turn blur off. */
export const normalizeMaxTier = (value: unknown): Tier => {
  if (value === undefined || value === null || value === '') return 1;
  const n = typeof value === 'number' ? value : Number(value);
  if (Number.isInteger(n) && n >= 1 && n <= 5) return n as Tier;
  warn('max-tier', value, 1);
  return 1;
};
export const normalizeLightWrap = (value: unknown): number => numberInRange('lightWrap', value, 0, 1, LIGHT_WRAP_STRENGTH);
export const normalizeRefinement = (value: unknown): MaskRefinement => oneOf('refinement', value, ['naive', 'seed', 'refined', 'weighted', 'guided'] as const, DEFAULT_REFINEMENT);

/** The edge treatment that won on the quality harness's numbers (see `npm run quality`). */
export const DEFAULT_REFINEMENT: MaskRefinement = 'guided';
