import { createHash } from 'node:crypto';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A camera clip with no person in it, for Chromium's
 * --use-file-for-fake-video-capture: shelves of books and a poster of small
 * text, at 1280×720, written as Y4M (raw YUV 4:2:0, so no encoder is needed).
 *
 * Why not Chromium's built-in fake camera: it draws a turning pie that the
 * segmenter takes in part for a person at some angles, so how much of its
 * output may stay sharp changed with the pie's angle, and a test that
 * needs "no person, so everything blurred" failed now and then. This clip
 * plays the part WebKit's mock camera plays there: fine detail everywhere,
 * nothing the model calls a person.
 */
const WIDTH = 1280;
const HEIGHT = 720;
const FRAMES = 8;

/** A small deterministic generator (mulberry32), so every machine draws the same clip. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Luma and chroma planes of the still scene. */
function drawScene() {
  const next = random(20261130);
  const y = new Uint8Array(WIDTH * HEIGHT);
  const u = new Uint8Array((WIDTH / 2) * (HEIGHT / 2)).fill(128);
  const v = new Uint8Array((WIDTH / 2) * (HEIGHT / 2)).fill(128);
  const fill = (x0, y0, w, h, luma, cb, cr) => {
    for (let row = y0; row < Math.min(HEIGHT, y0 + h); row++) y.fill(luma, row * WIDTH + x0, row * WIDTH + Math.min(WIDTH, x0 + w));
    for (let row = y0 >> 1; row < Math.min(HEIGHT, y0 + h) >> 1; row++) {
      u.fill(cb, row * (WIDTH / 2) + (x0 >> 1), row * (WIDTH / 2) + (Math.min(WIDTH, x0 + w) >> 1));
      v.fill(cr, row * (WIDTH / 2) + (x0 >> 1), row * (WIDTH / 2) + (Math.min(WIDTH, x0 + w) >> 1));
    }
  };
  // A wall with a soft vertical gradient.
  for (let row = 0; row < HEIGHT; row++) y.fill(150 - Math.round((row / HEIGHT) * 50), row * WIDTH, (row + 1) * WIDTH);
  // Shelves of books across the top half: narrow spines of random shade and hue.
  for (let shelf = 0; shelf < 3; shelf++) {
    const top = 30 + shelf * 110;
    fill(0, top + 96, WIDTH, 8, 50, 120, 140);
    for (let x = 0; x < WIDTH; ) {
      const w = 10 + Math.floor(next() * 22);
      const h = 60 + Math.floor(next() * 36);
      fill(x, top + 96 - h, w - 2, h, 40 + Math.floor(next() * 180), 80 + Math.floor(next() * 96), 80 + Math.floor(next() * 96));
      x += w;
    }
  }
  // A poster of small text in the bottom half: rows of 3×5 glyphs of random strokes.
  fill(160, 400, 960, 290, 225, 128, 128);
  for (let line = 0; line < 22; line++) {
    for (let column = 0; column < 230; column++) {
      if (next() < 0.15) continue; // word gaps
      const x0 = 176 + column * 4;
      const y0 = 412 + line * 12;
      for (let dy = 0; dy < 5; dy++) for (let dx = 0; dx < 3; dx++) if (next() < 0.5) y[(y0 + dy) * WIDTH + x0 + dx] = 30;
    }
  }
  return { y, u, v };
}

/** The path of the clip, written once into the temporary folder (its name carries a hash of its bytes, so a changed picture gets a new file). */
export function personFreeCameraFile() {
  const scene = drawScene();
  const frames = [];
  for (let frame = 0; frame < FRAMES; frame++) {
    // A small dark marker moves along the bottom edge, so consecutive frames differ as a camera's do.
    const y = Uint8Array.from(scene.y);
    for (let row = 700; row < 712; row++) y.fill(20, row * WIDTH + 40 + frame * 140, row * WIDTH + 40 + frame * 140 + 40);
    frames.push(Buffer.from('FRAME\n'), y, scene.u, scene.v);
  }
  const header = Buffer.from(`YUV4MPEG2 W${WIDTH} H${HEIGHT} F30:1 Ip A1:1 C420jpeg\n`);
  const clip = Buffer.concat([header, ...frames]);
  const digest = createHash('sha256').update(clip).digest('hex').slice(0, 12);
  const file = join(tmpdir(), `blur-camera-person-free-${digest}.y4m`);
  if (!existsSync(file)) {
    // Written beside and renamed, so a second test run never reads half a file.
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, clip);
    renameSync(partial, file);
  }
  return file;
}
