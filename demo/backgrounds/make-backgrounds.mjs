/**
 * Draws the demo's backgrounds (our own, no third-party pictures) and writes
 * them as PNGs next to this file: `node demo/backgrounds/make-backgrounds.mjs`.
 * Each is smooth or flat, so it stays small (< 100 KB) and still covers a
 * 720p frame without visible upscaling.
 */
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const here = new URL('.', import.meta.url);

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** An 8-bit RGB PNG; each row gets the filter (of the five) with the smallest sum of absolute values. */
function png(width, height, rgb) {
  const stride = width * 3;
  const rows = [];
  for (let y = 0; y < height; y++) {
    const row = rgb.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? rgb.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride);
    let best = null;
    for (let filter = 0; filter < 5; filter++) {
      const line = Buffer.alloc(stride + 1);
      line[0] = filter;
      let cost = 0;
      for (let i = 0; i < stride; i++) {
        const a = i >= 3 ? row[i - 3] : 0;
        const b = up[i];
        const c = i >= 3 ? up[i - 3] : 0;
        let predicted = 0;
        if (filter === 1) predicted = a;
        else if (filter === 2) predicted = b;
        else if (filter === 3) predicted = (a + b) >> 1;
        else if (filter === 4) {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }
        const v = (row[i] - predicted) & 0xff;
        line[i + 1] = v;
        cost += v < 128 ? v : 256 - v;
      }
      if (!best || cost < best.cost) best = { line, cost };
    }
    rows.push(best.line);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function draw(width, height, colourAt) {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = colourAt(x / width, y / height);
      const i = (y * width + x) * 3;
      rgb[i] = Math.max(0, Math.min(255, Math.round(r)));
      rgb[i + 1] = Math.max(0, Math.min(255, Math.round(g)));
      rgb[i + 2] = Math.max(0, Math.min(255, Math.round(b)));
    }
  }
  return rgb;
}

const mix = (a, b, t) => a.map((v, i) => v + (b[i] - v) * t);
const smooth = (t) => t * t * (3 - 2 * t);

/** Dusk: deep blue at the top through violet to a warm glow at the bottom, lighter to one side. */
function gradient(u, v) {
  const stops = [[24, 36, 84], [88, 62, 140], [214, 120, 112], [246, 190, 120]];
  const t = Math.min(0.999, Math.max(0, v * 0.85 + (1 - u) * 0.15));
  const k = t * (stops.length - 1);
  const i = Math.floor(k);
  return mix(stops[i], stops[i + 1], smooth(k - i));
}

/** Soft waves: interfering slow sines in teal and sand, like a blurred shoreline. */
function waves(u, v) {
  const a = Math.sin(u * 7.0 + Math.sin(v * 3.1) * 1.8);
  const b = Math.sin(v * 5.3 - u * 2.2 + Math.cos(u * 4.0) * 1.2);
  const t = (a * b + 1) / 2;
  const base = mix([20, 92, 110], [232, 212, 170], smooth(t));
  return mix(base, [246, 238, 222], Math.max(0, 0.35 - Math.abs(a - b) * 0.4));
}

/** A flat, calm wall: a shelf, two frames and a plant in plain shapes. */
function room(u, v) {
  const x = u * 16;
  const y = v * 9;
  const inRect = (x0, y0, x1, y1) => x >= x0 && x < x1 && y >= y0 && y < y1;
  if (y > 7.4) return [150, 118, 92]; // floor
  if (inRect(1.2, 1.4, 4.0, 3.6)) return inRect(1.4, 1.6, 3.8, 3.4) ? [236, 184, 108] : [70, 62, 58];
  if (inRect(11.6, 1.0, 14.4, 4.2)) return inRect(11.8, 1.2, 14.2, 4.0) ? [122, 166, 170] : [70, 62, 58];
  if (inRect(1.0, 5.2, 6.0, 5.45)) return [118, 88, 64]; // shelf
  if (inRect(1.6, 4.3, 2.1, 5.2)) return [204, 96, 80]; // books
  if (inRect(2.15, 4.5, 2.6, 5.2)) return [88, 120, 150];
  if (inRect(2.65, 4.1, 3.0, 5.2)) return [226, 200, 128];
  const potX = x - 13.2;
  if (inRect(12.6, 6.3, 13.8, 7.4)) return [190, 110, 80]; // pot
  if ((potX * potX) / 1.2 + ((y - 5.4) * (y - 5.4)) / 1.3 < 1) return [92, 140, 96]; // leaves
  return mix([226, 220, 206], [206, 198, 182], v); // wall
}

const backgrounds = { 'gradient.png': [960, 540, gradient], 'waves.png': [640, 360, waves], 'room.png': [1280, 720, room] };
for (const [name, [width, height, colourAt]] of Object.entries(backgrounds)) {
  const bytes = png(width, height, draw(width, height, colourAt));
  writeFileSync(new URL(name, here), bytes);
  console.log(`${name}: ${width}×${height}, ${(bytes.length / 1024).toFixed(1)} KB`);
}
