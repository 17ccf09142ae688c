/** The terminal the live screen draws on: its size as it changes, and letting go of it once the run ended. */
import { useApp, useStdout } from 'ink';
import { useEffect, useState } from 'react';

export interface TerminalSize {
  columns: number;
  rows: number;
}

export function useTerminalSize(): TerminalSize {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => terminalSize(stdout));
  useEffect(() => {
    const onResize = () => setSize(terminalSize(stdout));
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}

/**
 * Unmounts once the final summary is drawn (it stays on screen). A macrotask later, so that
 * <Static> has marked its last lines as printed and the final frame does not print them again.
 */
export function useExitOnceEnded(ended: boolean): void {
  const { exit } = useApp();
  useEffect(() => {
    if (!ended) return;
    const timer = setTimeout(() => exit(), 0);
    return () => clearTimeout(timer);
  }, [ended, exit]);
}

function terminalSize(stdout: NodeJS.WriteStream): TerminalSize {
  return { columns: stdout.columns || 80, rows: stdout.rows || 24 };
}
