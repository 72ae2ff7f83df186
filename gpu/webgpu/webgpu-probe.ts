export interface GpuProbe {
  readonly ok: boolean;
  /** Why WebGPU was refused, for `tierchange`'s reason. */
  readonly reason: string;
  readonly fallbackAdapter: boolean;
}

export interface WebGpuAcquired {
  readonly probe: GpuProbe;
  readonly device: GPUDevice | null;
  /**
   * Kept alive for as long as the device: in Chromium 156 a device whose adapter
   * has been garbage-collected is lost ("A valid external Instance reference no
   * longer exists").
   */
  readonly adapter: GPUAdapter | null;
}

/** GPUDevices this worker has acquired and not yet destroyed: reported in `stats.gpuDevices`, so tests can see none is held. */
let liveDevices = 0;
export function liveGpuDevices(): number {
  return liveDevices;
}

/** Counts the device until its first destroy(). */
function countDevice(device: GPUDevice): GPUDevice {
  liveDevices++;
  const destroy = device.destroy.bind(device);
  let destroyed = false;
  device.destroy = (): undefined => {
    if (!destroyed) {
      destroyed = true;
      liveDevices--;
    }
    destroy();
    return undefined;
  };
  return device;
}

/** SwiftShader, llvmpipe and friends: WebGPU works there, but MediaPipe's GPU delegate is 10× slower than its CPU one. */
function isSoftwareAdapter(adapter: GPUAdapter): boolean {
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const legacyFlag = (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter;
  if (info.isFallbackAdapter === true || legacyFlag === true) return true;
  const text = `${info.vendor} ${info.architecture} ${info.description}`.toLowerCase();
  return /swiftshader|llvmpipe|software|lavapipe/.test(text);
}

/**
 * Whether this browser's WebGPU adapter is a software one; null when there is
 * no adapter. Requests no device. The backend asks this before the zero-copy
 * probe, and acquireWebGpu asks for an adapter again after it: a route that
 * fails can take the page's WebGPU instance down, and an adapter from before
 * the probe with it, so this one is not kept for the compositor's device.
 */
export async function adapterIsSoftware(): Promise<boolean | null> {
  if (!('gpu' in navigator) || !navigator.gpu) return null;
  try {
    const adapter = await navigator.gpu.requestAdapter();
    return adapter ? isSoftwareAdapter(adapter) : null;
  } catch {
    return null;
  }
}

/**
 * WebGPU counts only when both requestAdapter and requestDevice succeed, here in
 * the worker where it will run: an adapter alone proves nothing.
 */
export async function acquireWebGpu(): Promise<WebGpuAcquired> {
  const refuse = (reason: string): WebGpuAcquired => ({ probe: { ok: false, reason, fallbackAdapter: false }, device: null, adapter: null });
  if (!('gpu' in navigator) || !navigator.gpu) return refuse('WebGPU is not available in this browser');
  let adapter: GPUAdapter | null;
  try {
    adapter = await navigator.gpu.requestAdapter();
  } catch (error) {
    return refuse(`requestAdapter() failed: ${String(error)}`);
  }
  if (!adapter) return refuse('requestAdapter() returned no adapter (WebGPU blocked or no suitable GPU)');
  try {
    const device = countDevice(await adapter.requestDevice());
    return { probe: { ok: true, reason: '', fallbackAdapter: isSoftwareAdapter(adapter) }, device, adapter };
  } catch (error) {
    return refuse(`requestDevice() failed: ${String(error)}`);
  }
}
