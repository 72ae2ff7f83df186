import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import type { BlurCamera } from '../../dist/blur-camera.js';
import { readTrack, type Pixels } from '../helpers/frames.js';
import { laplacianVariance } from '../helpers/image-metrics.js';
import { waitFor } from '../helpers/resource-spy.js';
import { alwaysBackground, type CspReport, type CspViolation } from '../helpers/privacy.js';

/**
 * Issue: "It works under a strict Content-Security-Policy. A page served with
 * `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'`
 * (and no `unsafe-eval`, no `blob:`) still reaches tier 1 and delivers
 * blurred frames."
 *
 * The test page itself runs inline scripts, so the page under test is
 * test/fixtures/csp/index.html in an iframe, served by serveCspFixture
 * (web-test-runner.config.mjs) with that policy as its Content-Security-Policy
 * header, and dist/ beside it under the same header: the worker, whose policy
 * is its own script response's header, runs under it too. Violations are
 * collected three ways: `securitypolicyviolation` in the fixture's document,
 * the report-uri of a report-only copy of the policy (which also hears the
 * worker), and the browser's console.
 */
const STRICT_POLICY = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'";

interface FixtureState {
  readonly violations: CspViolation[];
  readonly events: { type: string; detail: unknown }[];
  readonly errors: string[];
  readonly element: BlurCamera | null;
  readonly outcome: 'ready' | 'failed' | null;
}
type FixtureWindow = Window & typeof globalThis & { cspFixture?: FixtureState };

interface Fixture {
  readonly iframe: HTMLIFrameElement;
  readonly window: FixtureWindow;
  readonly state: FixtureState;
}

async function openFixture(policy: 'strict' | 'no-wasm-eval', segmenter: 'mediapipe' | 'litert' = 'mediapipe'): Promise<Fixture> {
  const iframe = document.createElement('iframe');
  iframe.allow = 'camera';
  iframe.width = '640';
  iframe.height = '480';
  const loaded = new Promise((resolve) => iframe.addEventListener('load', resolve, { once: true }));
  iframe.src = `/csp-fixture/${policy}/index.html?segmenter=${segmenter}`;
  document.body.append(iframe);
  await loaded;
  const win = iframe.contentWindow as FixtureWindow;
  await waitFor(() => win.cspFixture !== undefined, 'the fixture script to run', 30000);
  return { iframe, window: win, state: win.cspFixture! };
}

async function closeFixture(fixture: Fixture | null): Promise<void> {
  if (!fixture) return;
  await fixture.state.element?.stop().catch(() => undefined);
  fixture.iframe.remove();
}

/** Report-uri reports for `policy` since the last call (they are sent asynchronously: wait a moment first). */
async function serverReports(policy: string): Promise<CspReport[]> {
  await new Promise((resolve) => setTimeout(resolve, 1500));
  return (await executeServerCommand<CspReport[], { policy: string }>('csp-reports', { policy })) ?? [];
}

/** One raw frame of the fake camera, for the detail the output is compared against. */
async function rawCameraFrame(): Promise<Pixels> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720 } });
  const reader = readTrack(stream.getVideoTracks()[0]!);
  try {
    await reader.next();
    return await reader.next();
  } finally {
    await reader.cancel();
    for (const track of stream.getTracks()) track.stop();
  }
}

describe('privacy: a page under a strict Content-Security-Policy', () => {
  let fixture: Fixture | null = null;
  afterEach(async () => {
    await closeFixture(fixture);
    fixture = null;
  });

  for (const segmenter of ['mediapipe', 'litert'] as const) {
    it(`reaches tier 1 and delivers blurred frames under "${STRICT_POLICY}", with no violation, segmenting with ${segmenter}`, async function () {
      this.timeout(180000);
      await executeServerCommand('csp-reports', { policy: 'strict' });
      await executeServerCommand('console-watch-start');
      fixture = await openFixture('strict', segmenter);
      const { state } = fixture;
      await waitFor(() => state.outcome !== null, 'trackready or error', 120000);
      expect(state.outcome, JSON.stringify({ events: state.events, errors: state.errors, violations: state.violations })).to.equal('ready');
      const element = state.element!;
      expect(element.tier).to.equal(1);
      await waitFor(() => element.stats?.segmenter === segmenter, `stats.segmenter to say ${segmenter}`);
      expect(state.events.find((event) => event.type === 'trackready')?.detail).to.deep.equal({ tier: 1 });

      // Frames arrive on .stream, at the camera's size, and are blurred where the room is.
      const reader = readTrack(element.stream!.getVideoTracks()[0]!);
      let frames = 0;
      let output: Pixels;
      try {
        await reader.until((frame) => {
          const error = state.events.find((event) => event.type === 'error');
          if (error) throw new Error(`error after trackready: ${JSON.stringify(error.detail)}`);
          expect([frame.displayWidth, frame.displayHeight]).to.deep.equal([1280, 720]);
          return ++frames >= 10 && element.stats!.masks >= 3;
        });
        output = await reader.next();
      } finally {
        await reader.cancel();
      }
      const background = await alwaysBackground('/media/clips/keyed-person-720p-masks/', 150, 1280, 720, 24);
      const raw = await rawCameraFrame();
      const rawDetail = laplacianVariance(raw, background);
      const outDetail = laplacianVariance(output, background);
      console.log(`strict CSP, tier ${element.tier}, ${element.stats!.compositor}: background detail ${rawDetail.toFixed(1)} (camera) → ${outDetail.toFixed(1)} (output), ${element.stats!.masks} masks`);
      expect(outDetail * 5, 'background detail down at least 5×').to.be.below(rawDetail);

      // No violation anywhere: page, worker (report-uri), console.
      expect(state.violations, 'securitypolicyviolation in the page').to.deep.equal([]);
      expect(await serverReports('strict'), 'report-uri reports (page and worker)').to.deep.equal([]);
      const consoleCsp = (await executeServerCommand<{ text: string }[], undefined>('console-watch-read'))!.filter((entry) => /Content Security Policy|Refused to/i.test(entry.text));
      expect(consoleCsp, 'CSP messages on the console').to.deep.equal([]);
      expect(state.errors, 'uncaught errors in the page').to.deep.equal([]);

      // Control: the policy is in force in that page, and a violation would have been seen both ways.
      expect(() => new fixture!.window.Function('return 1')(), 'eval is blocked in the fixture').to.throw();
      await waitFor(() => state.violations.length > 0, 'the eval violation event');
      // One event per policy: the enforced one and its report-only copy.
      expect(state.violations.map((v) => `${v.directive} ${v.disposition}`).sort()).to.deep.equal(['script-src enforce', 'script-src report']);
      const reports = await serverReports('strict');
      expect(reports.map((report) => `${report['violated-directive']} ${report['blocked-uri']}`), JSON.stringify(reports)).to.deep.equal(['script-src eval']);
    });
  }

  it("control: without 'wasm-unsafe-eval' the same page fails closed, and the violation is the worker's own", async function () {
    // Proves that the worker runs under its own response's policy (the page compiles no wasm) and that the
    // report-uri hears it: with the policy less 'wasm-unsafe-eval', MediaPipe cannot compile.
    this.timeout(180000);
    await executeServerCommand('csp-reports', { policy: 'no-wasm-eval' });
    fixture = await openFixture('no-wasm-eval');
    const { state } = fixture;
    await waitFor(() => state.events.some((event) => event.type === 'error') || state.errors.length > 0, 'an error', 120000);
    const reports = await serverReports('no-wasm-eval');
    const error = state.events.find((event) => event.type === 'error')?.detail as { type: string; message: string } | undefined;
    console.log(`control (no 'wasm-unsafe-eval'): ${error?.type}: ${error?.message.slice(0, 160)}…`);
    expect(error?.type, JSON.stringify({ events: state.events, errors: state.errors })).to.equal('model-load');
    expect(error!.message).to.match(/Content Security Policy/i);
    // MediaPipe compiles its wasm in the segmenter worker where the compositor overlaps, else in the blur worker.
    const workerReports = reports.filter((report) => /\/csp-fixture\/no-wasm-eval\/dist\/(blur|segmenter)-worker\.js$/.test(report['document-uri'] ?? ''));
    expect(workerReports.map((report) => `${report['effective-directive']} ${report['blocked-uri']}`), JSON.stringify(reports)).to.include('script-src wasm-eval');
    expect(state.violations.filter((v) => v.blockedURI === 'wasm-eval'), 'the page itself compiles no wasm').to.deep.equal([]);
    // No segmentation ran (the faults tests check that such an output stays fully blurred).
    expect(state.element!.stats?.masks ?? 0).to.equal(0);
  });
});
