import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * A private X server for the run, for browsers that need one even headless:
 * Firefox finds WebGL only through GLX, and WebKitGTK's MiniBrowser always
 * opens a window. Mesa's llvmpipe renders. Returns the DISPLAY to use; an
 * existing DISPLAY is used as it is. Started once per process.
 */
let display = null;
export function startXvfb() {
  if (display) return display;
  if (process.env.DISPLAY) return (display = process.env.DISPLAY);
  let n = 99;
  while (existsSync(`/tmp/.X11-unix/X${n}`) || existsSync(`/tmp/.X${n}-lock`)) n++;
  const xvfb = spawn('Xvfb', [`:${n}`, '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
  xvfb.on('error', (error) => console.error(`Xvfb could not start (${error.message}); apt-get install xvfb`));
  // It must not keep Node alive (the bench would never exit); it ends with this process.
  xvfb.unref();
  process.on('exit', () => xvfb.kill());
  return (display = `:${n}`);
}
