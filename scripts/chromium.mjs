/**
 * The Chromium every script and the test runner launch, in one place: its
 * flags (SwiftShader WebGL2 and WebGPU, a fake camera playing a real clip) and
 * a reading of its processes' CPU time and memory from /proc. No side effects
 * on import, so scripts can share it with web-test-runner.config.mjs.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Chromium with SwiftShader WebGL2/WebGPU and a fake camera playing `cameraClip` (an MJPEG or Y4M file). */
export function chromiumArgs(cameraClip) {
  return [
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    '--enable-unsafe-webgpu',
    '--use-webgpu-adapter=swiftshader',
    '--use-angle=swiftshader',
    '--enable-unsafe-swiftshader',
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    `--use-file-for-fake-video-capture=${cameraClip}`,
    '--autoplay-policy=no-user-gesture-required',
    // Lets the leak checks force a garbage collection, and the soak read heaps after one.
    '--js-flags=--expose-gc',
  ];
}

/**
 * Chromium as on a machine whose GPU is blocklisted (common on school
 * computers and remote desktops): no WebGL on the page or in workers, and no
 * WebGPU adapter. Its fake camera plays `cameraClip` (the tests give it a
 * clip with no person; see person-free-camera.mjs).
 */
export function chromiumArgsWithoutGpu(cameraClip) {
  return [
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    '--disable-gpu',
    '--disable-software-rasterizer',
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    `--use-file-for-fake-video-capture=${cameraClip}`,
    '--autoplay-policy=no-user-gesture-required',
    '--js-flags=--expose-gc',
  ];
}

const CLOCK_TICKS = 100; // USER_HZ on Linux
const PAGE_BYTES = 4096;

/** CPU seconds (user + system) and resident memory of a process and all its descendants. */
export function processTree(rootPid) {
  const children = new Map();
  const stats = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pid = Number(entry);
      const ppid = Number(fields[1]);
      stats.set(pid, { cpu: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS, rss: Number(fields[21]) * PAGE_BYTES });
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(pid);
    } catch {
      // The process ended while we read it.
    }
  }
  let cpu = 0;
  let rss = 0;
  let processes = 0;
  /** CPU seconds per thread, keyed `pid/tid`, with a label: the process's kind and the thread's name. */
  const threads = new Map();
  const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop();
    const s = stats.get(pid);
    if (s) {
      cpu += s.cpu;
      rss += s.rss;
      processes++;
      readThreads(pid, threads);
    }
    stack.push(...(children.get(pid) ?? []));
  }
  return { cpu, rss, processes, threads };
}

/** Adds `pid`'s threads to `threads`: Chromium's process kind (its --type, or `browser`), or the process's name, and the thread's. */
function readThreads(pid, threads) {
  try {
    // Chromium rewrites its processes' titles, so the arguments may be joined by spaces, not NULs.
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
    const type = cmdline.find((arg) => arg.startsWith('--type='))?.slice('--type='.length);
    const kind = type ?? readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        threads.set(`${pid}/${tid}`, { label: `${kind}: ${name}`, cpu: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS });
      } catch {
        // The thread ended while we read it.
      }
    }
  } catch {
    // The process ended while we read it.
  }
}
