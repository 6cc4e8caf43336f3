// A one-line progress counter for long operations (many IDs). Written to stderr and only when asked
// (by default: when stderr is a terminal), so pipes and --json output stay clean.

/** Reports `done/total` as work completes. */
export interface Progress {
  tick(label?: string): void;
  done(): void;
}

/** A progress line that rewrites itself on `stream`; a no-op when `enabled` is false or total < 2. */
export function createProgress(stream: { write(text: string): unknown }, enabled: boolean, verb: string, total: number): Progress {
  if (!enabled || total < 2) return { tick() {}, done() {} };
  let count = 0;
  let width = 0;
  const write = (text: string) => {
    // Pad over whatever a longer previous line left behind.
    const padded = text.padEnd(width);
    width = Math.max(width, text.length);
    stream.write(`\r${padded}`);
  };
  write(`${verb} 0/${total}`);
  return {
    tick(label?: string) {
      count++;
      write(`${verb} ${count}/${total}${label ? ` ${label}` : ''}`);
    },
    done() {
      write(`${verb} ${count}/${total} done`);
      stream.write('\n');
    },
  };
}
