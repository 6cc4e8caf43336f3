// Text output of the `hcn` command: aligned tables and optional colour (only on a terminal, never in
// pipes, and never when NO_COLOR is set).

/** Colouring functions; all identity when colour is off. */
export interface Style {
  readonly color: boolean;
  bold(text: string): string;
  dim(text: string): string;
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
}

const wrap = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

/** A {@link Style} that colours (when `on`) or leaves text alone. */
export function makeStyle(on: boolean): Style {
  if (!on) {
    const id = (t: string) => t;
    return { color: false, bold: id, dim: id, green: id, red: id, yellow: id };
  }
  return { color: true, bold: wrap(1, 22), dim: wrap(2, 22), green: wrap(32, 39), red: wrap(31, 39), yellow: wrap(33, 39) };
}

/**
 * Whether to colour a stream: never with NO_COLOR (any non-empty value), always with FORCE_COLOR
 * (other than 0), else only on a terminal that is not `dumb`.
 */
export function shouldColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

// C0 controls, DEL, C1 controls and the bidirectional overrides/isolates (which reorder what a
// reader sees): none of them reaches the terminal from data.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
// The only escape sequences the output itself makes (see makeStyle).
const OWN_SGR = /^\u001b\[(?:1|2|22|31|32|33|39)m/;

/**
 * `text` with every control character written as `\xHH` (or `\uHHHH`), so a name or an echoed
 * argument cannot move the cursor, set the window title or hide text. `keepStyle` keeps the colour
 * codes the output's own {@link Style} makes; `keepNewlines` keeps line breaks.
 */
export function printable(text: string, options: { keepStyle?: boolean; keepNewlines?: boolean } = {}): string {
  if (!UNPRINTABLE.test(text)) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x1b && options.keepStyle) {
      const own = OWN_SGR.exec(text.slice(i, i + 5));
      if (own) {
        out += own[0];
        i += own[0].length - 1;
        continue;
      }
    }
    if (c === 0x0a && options.keepNewlines) {
      out += '\n';
    } else if (UNPRINTABLE.test(text[i]!)) {
      out += c <= 0xff ? `\\x${c.toString(16).padStart(2, '0')}` : `\\u${c.toString(16).padStart(4, '0')}`;
    } else {
      out += text[i];
    }
  }
  return out;
}

/** Longest argument value an error message echoes (the rest is cut and counted). */
export const ECHO_LIMIT = 80;

/**
 * An argument value as an error message echoes it: {@link printable}, and cut after
 * {@link ECHO_LIMIT} characters (`…` and the full length follow).
 */
export function echo(value: string): string {
  const cut = value.length > ECHO_LIMIT ? value.slice(0, ECHO_LIMIT) : value;
  return printable(cut) + (cut.length < value.length ? `… (${value.length} characters)` : '');
}

/** One column of a table. */
export interface Column<T> {
  header: string;
  value(row: T): string;
  /** Numbers read better right-aligned. */
  align?: 'left' | 'right';
  /** Colours the padded cell (padding is computed on the plain text). */
  paint?(cell: string, row: T, style: Style): string;
}

/** Renders rows as columns separated by two spaces, header first; ends with a newline. */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[], style: Style = makeStyle(false)): string {
  const cells = rows.map((row) => columns.map((c) => printable(c.value(row))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const pad = (text: string, i: number) =>
    columns[i]!.align === 'right' ? text.padStart(widths[i]!) : text.padEnd(widths[i]!);
  const lines: string[] = [];
  lines.push(trimEnd(columns.map((c, i) => style.bold(pad(c.header, i))).join('  '), style));
  cells.forEach((r, rowIndex) => {
    const parts = r.map((text, i) => {
      const padded = pad(text, i);
      const paint = columns[i]!.paint;
      return paint ? paint(padded, rows[rowIndex]!, style) : padded;
    });
    lines.push(trimEnd(parts.join('  '), style));
  });
  return lines.join('\n') + '\n';
}

// Trailing spaces of the last column are noise in pipes; with colour the codes follow them, so keep.
function trimEnd(line: string, style: Style): string {
  return style.color ? line : line.replace(/\s+$/, '');
}

/** `key: value` lines with the keys aligned (an empty key continues the previous one); ends with a newline. */
export function renderPairs(pairs: readonly (readonly [string, string])[], style: Style = makeStyle(false)): string {
  const width = Math.max(0, ...pairs.map(([k]) => k.length + 1));
  return (
    pairs
      .map(([k, v]) => {
        const key = k === '' ? ''.padEnd(width) : style.bold((k + ':').padEnd(width));
        return `${key}  ${printable(v, { keepStyle: style.color })}`.replace(/\s+$/, '');
      })
      .join('\n') + '\n'
  );
}

/** `yes`/`no`. */
export function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}

/** A list for one table cell: comma separated, `-` when empty. */
export function list(values: readonly string[] | undefined): string {
  return values && values.length > 0 ? values.join(',') : '-';
}
