/**
 * WebKit, Safari's engine, as Debian ships it: WebKitGTK's WebKitWebDriver
 * driving MiniBrowser under Xvfb, with WebKit's mock camera (a 1280×720
 * pattern with a clock and text, no person). Shared by the test runner and
 * the bench.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { startXvfb } from './xvfb.mjs';

/**
 * The feature sets that stand for Safari versions (MiniBrowser `--features=`):
 * Safari 18 has insertable streams and WebGL in workers, Safari 17 only WebGL
 * in workers, and `none` is a WebKit without either.
 */
export const WEBKIT_PROFILES = {
  safari18: { label: 'WebKit, Safari 18 features', features: '+MediaStreamTrackProcessing,+AllowWebGLInWorkers' },
  safari17: { label: 'WebKit, Safari 17 features', features: '+AllowWebGLInWorkers' },
  none: { label: 'WebKit, no WebGL in workers', features: '' },
};

/** MiniBrowser's path: WEBKIT_MINIBROWSER, or where libwebkit2gtk-4.1-0 installs it. */
export function miniBrowserPath() {
  if (process.env.WEBKIT_MINIBROWSER) return process.env.WEBKIT_MINIBROWSER;
  const known = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
  if (existsSync(known)) return known;
  try {
    return execFileSync('dpkg', ['-L', 'libwebkit2gtk-4.1-0'], { encoding: 'utf8' }).split('\n').find((line) => line.endsWith('/MiniBrowser')) ?? null;
  } catch {
    return null;
  }
}

export function webkitAvailable() {
  return !!miniBrowserPath() && existsSync('/usr/bin/WebKitWebDriver');
}

/** WebDriver capabilities for one profile. `--automation` is required, or the session hangs. */
export function webkitCapabilities(profile) {
  const { features } = WEBKIT_PROFILES[profile];
  const args = ['--automation', '--enable-media-stream=true', '--enable-mock-capture-devices=true', '--enable-webrtc=true', '--enable-webgl=true'];
  if (features) args.push(`--features=${features}`);
  return { 'webkitgtk:browserOptions': { binary: miniBrowserPath(), args } };
}

/** A free TCP port on localhost. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The `stop()` of every driver group still running. */
const running = new Set();
let exitHooked = false;

/** Once: ends every running driver group when this process exits or is interrupted. */
function endGroupsOnExit() {
  if (exitHooked) return;
  exitHooked = true;
  const endAll = () => [...running].forEach((stop) => stop());
  process.on('exit', endAll);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      endAll();
      // Then as if this handler were not here: other handlers, or the default exit.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

/**
 * Starts a WebKitWebDriver on an Xvfb display; resolves with its port, its
 * process and `stop()`, once it listens. The driver leads a process group of
 * its own, and `stop()` ends the whole group: killing the driver alone left
 * MiniBrowser and its web process running (a bench killed mid-run left one
 * blurring at full speed, and it slowed every later run). The group also ends
 * when this process exits or is interrupted.
 */
export async function spawnWebKitDriver() {
  const port = await freePort();
  const child = spawn('/usr/bin/WebKitWebDriver', [`--port=${port}`, '--host=127.0.0.1'], { stdio: 'ignore', detached: true, env: { ...process.env, DISPLAY: startXvfb() } });
  child.on('error', (error) => console.error(`WebKitWebDriver could not start (${error.message}); apt-get install webkit2gtk-driver`));
  child.unref();
  const stop = () => {
    running.delete(stop);
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // The group has ended already.
    }
  };
  running.add(stop);
  endGroupsOnExit();
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`http://127.0.0.1:${port}/status`).then((r) => r.ok, () => false);
    if (up) return { port, child, stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  stop();
  throw new Error('WebKitWebDriver did not start listening');
}

/** One WebKitWebDriver for the whole test run; resolves with its port. */
let shared = null;
export function startWebKitDriver() {
  shared ??= spawnWebKitDriver().then(({ port }) => port);
  return shared;
}
