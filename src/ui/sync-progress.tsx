/** The live sync progress bar (ink): count, percent, rate and ETA. Data comes in through `update`. */
import React from 'react';
import { Box, Text, render } from 'ink';
import { formatEta, type ProgressSnapshot } from '../core/progress.js';

export interface SyncProgressView {
  label: string;
  phase: string;
  snapshot: ProgressSnapshot;
}

function Bar({ percent, width = 30 }: { percent: number; width?: number }) {
  const filled = Math.round((percent / 100) * width);
  return <Text color="cyan">{'█'.repeat(filled)}<Text color="gray">{'░'.repeat(width - filled)}</Text></Text>;
}

export function SyncProgress({ view }: { view: SyncProgressView | null }) {
  if (!view) return <Text color="gray">Connecting…</Text>;
  const { snapshot } = view;
  return (
    <Box gap={1}>
      <Text bold>{view.label}</Text>
      <Bar percent={snapshot.percent} />
      <Text>{snapshot.processed.toLocaleString('en-US')}/{snapshot.total.toLocaleString('en-US')} {snapshot.percent}%</Text>
      <Text color="gray">{Math.round(snapshot.ratePerSecond)} msg/s · ETA {formatEta(snapshot.etaSeconds)} · {view.phase}</Text>
    </Box>
  );
}

/**
 * Each update re-renders synchronously (ink's rerender), and unmount flushes the throttled
 * frame: the last update is the last frame. (A state hook fed from outside React could leave
 * the final update undrawn when the sync ended right after it.)
 */
export function mountSyncProgress(stream: NodeJS.WriteStream): { update: (view: SyncProgressView) => void; unmount: () => void } {
  const instance = render(<SyncProgress view={null} />, { stdout: stream, exitOnCtrlC: false, patchConsole: false });
  return {
    update: (view) => instance.rerender(<SyncProgress view={view} />),
    unmount: () => {
      instance.unmount();
      instance.cleanup();
    },
  };
}
