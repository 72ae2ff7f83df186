import type { ProbedBackend } from '../contract/ladder.js';
import type { WorkerCapabilities } from '../contract/protocol.js';
import type { BackendDescriptor, BackendProbe, ProbeEnvironment } from '../gpu/backend-descriptor.js';
import { probeFrameRoutesApart } from './frame-routes-apart.js';
import { BACKENDS } from '../gpu/backends.js';

/** A registered backend with what its probe found (and holds for its start). */
export interface ProbedEntry {
  readonly descriptor: BackendDescriptor;
  readonly probe: BackendProbe;
}

function probeAnyWebGl(): boolean {
  if (typeof OffscreenCanvas === 'undefined') return false;
  try {
    const canvas = new OffscreenCanvas(1, 1);
    const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
    gl?.getExtension('WEBGL_lose_context')?.loseContext();
    return gl !== null;
  } catch {
    return false;
  }
}

/**
 * Tries for a WebGL context this many times before saying there is none:
 * WebKit's GPU process refused one now and then right after another page
 * released its contexts (a test run's tier 4 fell to tier 5 that way).
 */
const WEBGL_PROBE_ATTEMPTS = 4;

/** Probes the registry's backends one after another, in its order. */
async function probeBackends(descriptors: readonly BackendDescriptor[]): Promise<ProbedEntry[]> {
  const entries: ProbedEntry[] = [];
  const environment: ProbeEnvironment = { probeFrameRoutesApart: () => probeFrameRoutesApart(self.location.href) };
  for (const descriptor of descriptors) entries.push({ descriptor, probe: await descriptor.probe(environment) });
  return entries;
}

function report({ descriptor, probe }: ProbedEntry): ProbedBackend {
  return { name: descriptor.name, available: probe.available, reason: probe.reason, software: probe.software, rungs: descriptor.rungs };
}

/** Probes everything the ladder needs; the entries keep what their probes acquired (WebGPU's device) for the pipeline. */
export async function probeWorker(): Promise<{ capabilities: WorkerCapabilities; probes: ProbedEntry[] }> {
  let probes = await probeBackends(BACKENDS);
  const scope = self as unknown as Record<string, unknown>;
  let webglForSegmenter = probeAnyWebGl();
  let attempt = 1;
  for (; !webglForSegmenter && typeof OffscreenCanvas !== 'undefined' && attempt < WEBGL_PROBE_ATTEMPTS; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    webglForSegmenter = probeAnyWebGl();
  }
  if (attempt > 1) {
    // The GPU process refused contexts for a while: the backends it refused then get another chance now.
    const retried = await probeBackends(probes.filter((e) => !e.probe.available).map((e) => e.descriptor));
    probes = probes.map((entry) => {
      const again = retried.find((r) => r.descriptor === entry.descriptor);
      if (!again) return entry;
      entry.probe.release();
      return again;
    });
  }
  return {
    probes,
    capabilities: {
      backends: probes.map(report),
      webglForSegmenter,
      trackProcessorInWorker: typeof scope['MediaStreamTrackProcessor'] === 'function' && typeof scope['VideoTrackGenerator'] === 'function',
    },
  };
}
