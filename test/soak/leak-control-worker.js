// The soak's leak-watch control, worker side: leaks one VideoFrame on purpose
// and collects garbage until terminated, so that scripts/soak.mjs can check it
// sees Chromium's "garbage collected without being closed" warning from a
// worker (it arrives only on the worker's own Log domain, not as console API).
const canvas = new OffscreenCanvas(16, 16);
canvas.getContext('2d').fillRect(0, 0, 16, 16);
new VideoFrame(canvas, { timestamp: 1 });
setInterval(() => globalThis.gc?.(), 250);
