/** Pixel measures for the tests: regions from a ground-truth mask, Laplacian variance, IoU. */
import type { Pixels } from './frames.js';

export interface GroundTruth {
  readonly width: number;
  readonly height: number;
  /** 1 where the person is, 0 elsewhere. */
  readonly person: Uint8Array;
  /** Distance in pixels from each pixel to the nearest pixel of the other class. */
  readonly edgeDistance: Float32Array;
}

export async function loadGroundTruth(url: string): Promise<GroundTruth> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const bitmap = await createImageBitmap(await response.blob());
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  context.drawImage(bitmap, 0, 0);
  const { data, width, height } = context.getImageData(0, 0, bitmap.width, bitmap.height);
  bitmap.close();
  const person = new Uint8Array(width * height);
  for (let i = 0; i < person.length; i++) person[i] = data[i * 4]! >= 128 ? 1 : 0;
  return { width, height, person, edgeDistance: edgeDistance(person, width, height) };
}

/** Chamfer (1, √2) distance to the nearest pixel of the other class; within 8% of Euclidean. */
function edgeDistance(person: Uint8Array, width: number, height: number): Float32Array {
  const far = width + height;
  const dist = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const c = person[i];
      const differs = (x > 0 && person[i - 1] !== c) || (x < width - 1 && person[i + 1] !== c)
        || (y > 0 && person[i - width] !== c) || (y < height - 1 && person[i + width] !== c);
      dist[i] = differs ? 0 : far;
    }
  }
  const d = Math.SQRT2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      let v = dist[i]!;
      if (x > 0) v = Math.min(v, dist[i - 1]! + 1);
      if (y > 0) v = Math.min(v, dist[i - width]! + 1);
      if (x > 0 && y > 0) v = Math.min(v, dist[i - width - 1]! + d);
      if (x < width - 1 && y > 0) v = Math.min(v, dist[i - width + 1]! + d);
      dist[i] = v;
    }
  }
  for (let y = height - 1; y >= 0; y--) {
    for (let x = width - 1; x >= 0; x--) {
      const i = y * width + x;
      let v = dist[i]!;
      if (x < width - 1) v = Math.min(v, dist[i + 1]! + 1);
      if (y < height - 1) v = Math.min(v, dist[i + width]! + 1);
      if (x < width - 1 && y < height - 1) v = Math.min(v, dist[i + width + 1]! + d);
      if (x > 0 && y < height - 1) v = Math.min(v, dist[i + width - 1]! + d);
      dist[i] = v;
    }
  }
  return dist;
}

/** Pixels of one class lying more than `margin` pixels from the true edge. */
export function deepRegion(truth: GroundTruth, cls: 0 | 1, margin = 24): Uint8Array {
  const region = new Uint8Array(truth.person.length);
  for (let i = 0; i < region.length; i++) region[i] = truth.person[i] === cls && truth.edgeDistance[i]! > margin ? 1 : 0;
  return region;
}

/** Fine detail (laplacianVariance) deep in the room and deep in the person, in the camera's frame and in the output. */
export interface RoomAndPersonDetail {
  readonly room: { readonly input: number; readonly output: number };
  readonly person: { readonly input: number; readonly output: number };
  /** "background 60.8 → 0.8, person 1134.5 → 1133.8", as the tests log it. */
  readonly summary: string;
}

export function roomAndPersonDetail(input: Pixels, output: Pixels, truth: GroundTruth): RoomAndPersonDetail {
  const background = deepRegion(truth, 0);
  const person = deepRegion(truth, 1);
  const room = { input: laplacianVariance(input, background), output: laplacianVariance(output, background) };
  const personDetail = { input: laplacianVariance(input, person), output: laplacianVariance(output, person) };
  const summary = `background ${room.input.toFixed(1)} → ${room.output.toFixed(1)}, person ${personDetail.input.toFixed(1)} → ${personDetail.output.toFixed(1)}`;
  return { room, person: personDetail, summary };
}

function luma(p: Pixels, i: number): number {
  return 0.299 * p.data[i * 4]! + 0.587 * p.data[i * 4 + 1]! + 0.114 * p.data[i * 4 + 2]!;
}

/** Variance of the 4-neighbour Laplacian of luma over `region`: a measure of fine detail. */
export function laplacianVariance(p: Pixels, region: Uint8Array): number {
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  const w = p.width;
  for (let y = 1; y < p.height - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      if (!region[i]) continue;
      const lap = 4 * luma(p, i) - luma(p, i - 1) - luma(p, i + 1) - luma(p, i - w) - luma(p, i + w);
      sum += lap;
      sumSq += lap * lap;
      n++;
    }
  }
  if (n === 0) throw new Error('empty region');
  const mean = sum / n;
  return sumSq / n - mean * mean;
}

/** IoU of `p`'s red channel thresholded at 0.5 against the true person mask. */
export function maskIoU(p: Pixels, truth: GroundTruth): number {
  if (p.width !== truth.width || p.height !== truth.height) throw new Error(`size ${p.width}×${p.height} ≠ ${truth.width}×${truth.height}`);
  let intersection = 0;
  let union = 0;
  for (let i = 0; i < truth.person.length; i++) {
    const predicted = p.data[i * 4]! >= 128;
    const actual = truth.person[i] === 1;
    if (predicted && actual) intersection++;
    if (predicted || actual) union++;
  }
  return intersection / union;
}

/** Mean absolute difference of RGB between two images of the same size, 0–255. */
export function meanAbsoluteDifference(a: Pixels, b: Pixels, region?: Uint8Array): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < a.width * a.height; i++) {
    if (region && !region[i]) continue;
    for (let c = 0; c < 3; c++) sum += Math.abs(a.data[i * 4 + c]! - b.data[i * 4 + c]!);
    n += 3;
  }
  return sum / n;
}
