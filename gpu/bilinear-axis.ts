/**
 * Bilinear sample positions along one axis when a `sourceSize` line is
 * stretched to `targetSize` (pixel centres aligned, edges clamped): for each
 * target index, the left source index and the weight of its right neighbour.
 * Computed once per size pair, so the per-pixel loops only read tables.
 */
export interface BilinearAxis {
  readonly sourceSize: number;
  readonly targetSize: number;
  readonly scale: number;
  readonly index: Int32Array;
  readonly weight: Float32Array;
}

/**
 * `scale` is how many target pixels one source pixel spans; by default the
 * two lines cover the same extent (scale = targetSize / sourceSize). A
 * pyramid level gives its exact power of two, since its size was rounded up.
 */
export function bilinearAxis(sourceSize: number, targetSize: number, scale = targetSize / sourceSize): BilinearAxis {
  const index = new Int32Array(targetSize);
  const weight = new Float32Array(targetSize);
  for (let t = 0; t < targetSize; t++) {
    if (sourceSize < 2) continue;
    const u = Math.min(sourceSize - 1, Math.max(0, (t + 0.5) / scale - 0.5));
    const i = Math.min(sourceSize - 2, Math.floor(u));
    index[t] = i;
    weight[t] = u - i;
  }
  return { sourceSize, targetSize, scale, index, weight };
}

/** The cached axis for a size pair, rebuilt only when a size changes. */
export function cachedAxis(cached: BilinearAxis | null, sourceSize: number, targetSize: number, scale = targetSize / sourceSize): BilinearAxis {
  return cached && cached.sourceSize === sourceSize && cached.targetSize === targetSize && cached.scale === scale ? cached : bilinearAxis(sourceSize, targetSize, scale);
}
