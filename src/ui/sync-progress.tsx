/** The live sync progress bar (ink): count, rate and ETA. Data comes in through `update`. */
import React, { useEffect, useState } from 'react';
import { Box, Text, render } from 'ink';
import { formatEta, type ProgressSnapshot } from '../core/progress.js';

export interface SyncProgressView {
  label: string;
  phase: string;
  snapshot: ProgressSnapshot;
}

type Listener = (view: SyncProgressView) => void;

function Bar({ percent, width = 30 }: { percent: number; width?: number }) {
  const filled = Math.round((percent / 100) * width);
  return <Text color="cyan">{'█'.repeat(filled)}<Text color="gray">{'░'.repeat(width - filled)}</Text></Text>;
}

function SyncProgress({ subscribe }: { subscribe: (listener: Listener) => () => void }) {
  const [view, setView] = useState<SyncProgressView | null>(null);
  useEffect(() => subscribe(setView), [subscribe]);
  if (!view) return <Text color="gray">Connecting…</Text>;
  const { snapshot } = view;
  return (
    <Box gap={1}>
      <Text bold>{view.label}</Text>
      <Bar percent={snapshot.percent} />
      <Text>{snapshot.processed.toLocaleString()}/{snapshot.total.toLocaleString()}</Text>
      <Text color="gray">{Math.round(snapshot.ratePerSecond)} msg/s · ETA {formatEta(snapshot.etaSeconds)} · {view.phase}</Text>
    </Box>
  );
}

export function mountSyncProgress(stream: NodeJS.WriteStream): { update: (view: SyncProgressView) => void; unmount: () => void } {
  const listeners = new Set<Listener>();
  const subscribe = (listener: Listener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  const instance = render(<SyncProgress subscribe={subscribe} />, { stdout: stream, exitOnCtrlC: false, patchConsole: false });
  return {
    update: (view) => listeners.forEach((listener) => listener(view)),
    unmount: () => {
      instance.unmount();
      instance.cleanup();
    },
  };
}
