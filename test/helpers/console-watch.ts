import { executeServerCommand } from '@web/test-runner-commands';

export interface ConsoleEntry {
  readonly origin: string;
  readonly type: string;
  readonly text: string;
}

/** Starts collecting the browser's own console output (page and workers), as DevTools would show it. */
export async function startConsoleWatch(): Promise<void> {
  await executeServerCommand('console-watch-start');
}

export async function readConsole(): Promise<ConsoleEntry[]> {
  return (await executeServerCommand<undefined, ConsoleEntry[]>('console-watch-read')) ?? [];
}

export const FRAME_LEAK = /garbage collected without being closed/i;
