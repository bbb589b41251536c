/** The live `mailmon tail` view (ink): each event printed once, a footer while following. */
import React, { useEffect, useState } from 'react';
import { Box, Static, Text, render } from 'ink';
import type { MailmonEvent } from '../core/events.js';

export interface TailLine {
  key: string;
  time: string;
  type: string;
  mailbox: string;
  summary: string;
}

const colorFor = (type: string) => (type.startsWith('message.created') ? 'green' : type.startsWith('message.deleted') ? 'red' : type.startsWith('mailbox.') ? 'yellow' : 'cyan');

function TailView({ source, describe }: { source: AsyncIterable<MailmonEvent>; describe: (event: MailmonEvent) => TailLine }) {
  const [lines, setLines] = useState<TailLine[]>([]);
  useEffect(() => {
    let stopped = false;
    void (async () => {
      for await (const event of source) {
        if (stopped) return;
        setLines((previous) => [...previous, describe(event)]);
      }
    })();
    return () => {
      stopped = true;
    };
  }, [source, describe]);
  return (
    <>
      <Static items={lines}>
        {(line) => (
          <Box key={line.key} gap={1}>
            <Text color="gray">{line.time}</Text>
            <Text color={colorFor(line.type)}>{line.type.padEnd(22)}</Text>
            <Text color="gray">{line.mailbox}</Text>
            <Text>{line.summary}</Text>
          </Box>
        )}
      </Static>
      <Text color="gray">Following the event log… ({lines.length} shown, Ctrl-C to quit)</Text>
    </>
  );
}

export async function renderTail(source: AsyncIterable<MailmonEvent>, describe: (event: MailmonEvent) => TailLine, signal: AbortSignal): Promise<void> {
  const instance = render(<TailView source={source} describe={describe} />, { exitOnCtrlC: false, patchConsole: false });
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  instance.unmount();
}
