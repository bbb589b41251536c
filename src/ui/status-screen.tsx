/**
 * `mailmon status` on a TTY (ink): the same sections as the plain rendering, redrawn every
 * `refreshMs` with --watch; q or Esc quits. Data comes from `load` (the status report use case).
 */
import React, { useEffect, useState } from 'react';
import { Box, Text, render, useApp, useInput, useStdin } from 'ink';
import { formatUptime } from '../core/daemon-status.js';
import { formatEta } from '../core/progress.js';
import type { StatusReport } from '../app/status-report.js';
import { plural } from '../cli/output.js';

function ago(at: number | null, now: number): string {
  if (!at) return 'never';
  return `${formatUptime(Math.max(0, now - at))} ago`;
}

function Row({ cells, widths, color }: { cells: string[]; widths: number[]; color?: string }) {
  return (
    <Box>
      {cells.map((cell, index) => (
        <Box key={index} width={widths[index]} marginRight={2}>
          <Text color={color} wrap="truncate">{cell}</Text>
        </Box>
      ))}
    </Box>
  );
}

export function StatusView({ report }: { report: StatusReport }) {
  const now = report.generatedAt;
  const withPush = report.mailboxes.some((mailbox) => mailbox.push);
  return (
    <Box flexDirection="column">
      {report.daemon.running ? (
        <Text><Text color="green">●</Text> Daemon running (pid {report.daemon.pid}, up {formatUptime(report.daemon.uptimeMs ?? 0)})</Text>
      ) : (
        <Text><Text color="red">○</Text> Daemon not running <Text color="gray">(mailmon daemon start)</Text></Text>
      )}
      <Box marginTop={1} flexDirection="column">
        <Text bold>Mailboxes</Text>
        {report.mailboxes.length === 0 ? <Text color="gray">  none connected (mailmon login)</Text> : null}
        {report.mailboxes.length > 0 ? <Row color="gray" widths={[28, 34, 14, 10, 10, 9, 30, 24]} cells={['MAILBOX', 'STATUS', 'LAST SUCCESS', 'LAG', 'CURSOR', 'MESSAGES', 'LAST ERROR', ...(withPush ? ['PUSH'] : [])]} /> : null}
        {report.mailboxes.map((mailbox) => (
          <Row key={mailbox.mailboxId} widths={[28, 34, 14, 10, 10, 9, 30, 24]} color={mailbox.lastError || mailbox.push?.state === 'failed' || mailbox.push?.state === 'expired' ? 'yellow' : undefined}
            cells={[mailbox.emailAddress, `${mailbox.status}${mailbox.syncing ? ' ⟳' : ''}${mailbox.progress ? ` ${mailbox.progress.percent}% ${mailbox.progress.processed.toLocaleString('en-US')}/${mailbox.progress.total.toLocaleString('en-US')}${mailbox.progress.etaSeconds !== null ? ` ETA ${formatEta(mailbox.progress.etaSeconds)}` : ''}` : ''}`, ago(mailbox.lastSuccessAt, now), mailbox.lagMs === null ? '-' : formatUptime(mailbox.lagMs), mailbox.cursor ?? '-', String(mailbox.messageCount), mailbox.lastError ?? '-', ...(withPush ? [mailbox.push ? (mailbox.push.state === 'failed' && mailbox.push.error ? `failed: ${mailbox.push.error}` : mailbox.push.state) : '-'] : [])]} />
        ))}
      </Box>
      <Box marginTop={1} flexDirection="column">
        <Text bold>Event log</Text>
        <Text>  {plural(report.events.count, 'event')}{report.events.newest ? ` · newest #${report.events.newest.sequence} ${report.events.newest.type} ${ago(report.events.newest.occurredAt, now)}` : ''}</Text>
      </Box>
      <Box marginTop={1} flexDirection="column">
        <Text bold>Listeners</Text>
        {report.consumers.length === 0 ? <Text color="gray">  none</Text> : null}
        {report.consumers.map((consumer) => (
          <Row key={consumer.name} widths={[50, 10, 14]} color={consumer.behind > 0 ? 'yellow' : undefined} cells={[consumer.name, `${consumer.behind} behind`, ago(consumer.heartbeatAt, now)]} />
        ))}
      </Box>
      <Box marginTop={1} flexDirection="column">
        <Text bold>Endpoints</Text>
        {report.endpoints.length === 0 ? <Text color="gray">  none</Text> : null}
        {report.endpoints.map((endpoint) => (
          <Row key={endpoint.id} widths={[40, 10, 10, 12, 30]} color={endpoint.health === 'active' ? undefined : endpoint.health === 'warning' ? 'yellow' : 'red'} cells={[endpoint.url, endpoint.enabled ? endpoint.health : 'disabled', `${endpoint.pending} pending`, plural(endpoint.consecutiveFailures, 'failure'), endpoint.lastError ?? '-']} />
        ))}
      </Box>
    </Box>
  );
}

function WatchedStatus({ initial, load, refreshMs }: { initial: StatusReport; load: () => Promise<StatusReport>; refreshMs: number }) {
  const [report, setReport] = useState(initial);
  const { exit } = useApp();
  const { isRawModeSupported } = useStdin();
  useInput((input, key) => {
    if (input === 'q' || key.escape || (key.ctrl && input === 'c')) exit();
  }, { isActive: Boolean(isRawModeSupported) });
  useEffect(() => {
    const timer = setInterval(() => void load().then(setReport, () => undefined), refreshMs);
    return () => clearInterval(timer);
  }, [load, refreshMs]);
  return (
    <Box flexDirection="column">
      <StatusView report={report} />
      <Text color="gray">{'\n'}Refreshing every {Math.round(refreshMs / 1000)}s · q to quit</Text>
    </Box>
  );
}

/** Draws once (watch=false) or until q/Ctrl-C/abort (watch=true). */
export async function showStatusScreen(options: { initial: StatusReport; load: () => Promise<StatusReport>; watch: boolean; refreshMs: number; signal: AbortSignal }): Promise<void> {
  if (!options.watch) {
    const instance = render(<StatusView report={options.initial} />, { patchConsole: false });
    instance.unmount();
    await instance.waitUntilExit();
    return;
  }
  const instance = render(<WatchedStatus initial={options.initial} load={options.load} refreshMs={options.refreshMs} />, { exitOnCtrlC: true, patchConsole: false });
  const onAbort = () => instance.unmount();
  options.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await instance.waitUntilExit();
  } finally {
    options.signal.removeEventListener('abort', onAbort);
  }
}
