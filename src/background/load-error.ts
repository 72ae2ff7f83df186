/** A background that could not be loaded; its message names what failed and what the output does instead. */
export class BackgroundLoadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BackgroundLoadError';
  }
}

/** A URL as a BackgroundLoadError's message names it: a data: URL by its first 40 characters, not its whole picture. */
export function describeUrl(url: string): string {
  return url.startsWith('data:') ? `${url.slice(0, 40)}…` : url;
}
