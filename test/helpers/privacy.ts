/** Helpers for the privacy tests (test/privacy/): CSP violation shapes, recorded requests, a background region. */

/** A `securitypolicyviolation` event, as the CSP fixture page records it. */
export interface CspViolation {
  readonly directive: string;
  readonly blockedURI: string;
  readonly sourceFile: string;
  readonly line: number;
  readonly sample: string;
  readonly disposition: string;
}

/** A report-uri report body (`csp-report`), as the server received it. */
export interface CspReport {
  readonly 'document-uri'?: string;
  readonly 'violated-directive'?: string;
  readonly 'effective-directive'?: string;
  readonly 'blocked-uri'?: string;
  readonly 'source-file'?: string;
  readonly disposition?: string;
  readonly [key: string]: unknown;
}

/** A request the browser made, from the request recorder (web-test-runner.config.mjs). */
export interface RecordedRequest {
  readonly url: string;
  /** `request`, `websocket` or `webtransport`. */
  readonly kind: string;
  /** The DevTools resource type (Document, Script, Fetch, …). */
  readonly type: string;
  /** What made it: `page` (and its frames), `worker`, … */
  readonly target: string;
  readonly targetUrl: string;
}

/**
 * Pixels that are background, at least `margin` pixels from the person, in
 * every one of a clip's `count` ground-truth masks (`<folder>0001.png` …):
 * the static room, whichever frame of the clip the fake camera is showing.
 */
export async function alwaysBackground(folder: string, count: number, width: number, height: number, margin: number): Promise<Uint8Array> {
  const person = new Uint8Array(width * height);
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  for (let n = 1; n <= count; n++) {
    const url = `${folder}${String(n).padStart(4, '0')}.png`;
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    const bitmap = await createImageBitmap(await response.blob());
    if (bitmap.width !== width || bitmap.height !== height) throw new Error(`${url}: ${bitmap.width}×${bitmap.height}, expected ${width}×${height}`);
    context.drawImage(bitmap, 0, 0);
    bitmap.close();
    const { data } = context.getImageData(0, 0, width, height);
    for (let i = 0; i < person.length; i++) if (data[i * 4]! >= 128) person[i] = 1;
  }
  // Grow the person by `margin` (a square), separably: rows, then columns.
  const rows = new Uint8Array(person.length);
  for (let y = 0; y < height; y++) {
    let last = -Infinity;
    for (let x = 0; x < width; x++) {
      if (person[y * width + x]) last = x;
      if (x - last <= margin) rows[y * width + x] = 1;
    }
    last = Infinity;
    for (let x = width - 1; x >= 0; x--) {
      if (person[y * width + x]) last = x;
      if (last - x <= margin) rows[y * width + x] = 1;
    }
  }
  const grown = new Uint8Array(person.length);
  for (let x = 0; x < width; x++) {
    let last = -Infinity;
    for (let y = 0; y < height; y++) {
      if (rows[y * width + x]) last = y;
      if (y - last <= margin) grown[y * width + x] = 1;
    }
    last = Infinity;
    for (let y = height - 1; y >= 0; y--) {
      if (rows[y * width + x]) last = y;
      if (last - y <= margin) grown[y * width + x] = 1;
    }
  }
  const background = new Uint8Array(person.length);
  let n = 0;
  for (let i = 0; i < background.length; i++) {
    background[i] = grown[i] ? 0 : 1;
    n += background[i]!;
  }
  if (n < person.length / 10) throw new Error(`only ${n} pixels are background in every frame`);
  return background;
}

/** The distinct URLs of `requests`, sorted, query strings kept. */
export function distinctUrls(requests: readonly RecordedRequest[]): string[] {
  return [...new Set(requests.map((request) => request.url))].sort();
}
