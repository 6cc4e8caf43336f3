// Reads the desired load balancers of `hcn apply -f FILE|-` and `hcn lb create -f FILE|-`: JSON or
// YAML (the `yaml` package; JSON is read by the same parser, so both report line numbers), either an
// array of specs or `{ "loadBalancers": [...] }`. Each item is checked with validateLoadBalancerSpec,
// and every problem is reported at once, naming the item, the field and the line, before anything
// reaches HNS.
import * as fs from 'node:fs';
import type { Document } from 'yaml';

/** The yaml package, loaded on first use: most hcn commands never read a file (CLI start-up). */
function yaml(): typeof import('yaml') {
  return require('yaml') as typeof import('yaml');
}
import { validateLoadBalancerSpec } from '../builders';
import { HcnValidationError } from '../errors';
import type { LoadBalancerSpec } from '../schema/models';
import { UsageError } from './usage-error';

/** The desired load balancers of a file, validated (without the host's features). */
export interface DesiredFile {
  /** What was read, for messages: the path, or `stdin`. */
  readonly source: string;
  /** The validated specs, in file order. */
  readonly specs: LoadBalancerSpec[];
  /** The name of item `i` in the file: `loadBalancers[1]` or `[1]`. */
  itemName(index: number): string;
  /** The 1-based line item `i` starts on. */
  itemLine(index: number): number | undefined;
}

type PathSegment = string | number;

/** `ports[0].external` → ['ports', 0, 'external']. */
function fieldPath(field: string): PathSegment[] {
  const out: PathSegment[] = [];
  for (const m of field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return out;
}

function formatPath(path: readonly PathSegment[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? p : `.${p}`;
  return s;
}

/** Reads `file` (`-` = `readStdin()`) as text, or throws a UsageError naming `argument`. */
export async function readSource(argument: string, file: string, readStdin: () => Promise<string>): Promise<{ text: string; source: string }> {
  if (file === '-') return { text: await readStdin(), source: 'stdin' };
  try {
    return { text: fs.readFileSync(file, 'utf8'), source: file };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new UsageError(argument, `${argument} ${file}: ${why}`, 'name a JSON or YAML file, or - to read standard input');
  }
}

/**
 * Parses and validates `text`. `single`: the file holds one spec (an object), as `hcn lb create -f`
 * takes. Throws a UsageError naming `argument` with every problem (item, field, line).
 */
export function parseDesired(argument: string, text: string, source: string, options: { single?: boolean } = {}): DesiredFile {
  const { LineCounter, parseDocument, isNode } = yaml();
  const lines = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const lineOf = (offset: number): number => lines.linePos(offset).line;
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => `line ${e.linePos?.[0]?.line ?? lineOf(e.pos[0])}: ${e.message.split('\n')[0]}`);
    throw new UsageError(argument, `${source} is not valid JSON or YAML: ${problems.join('; ')}`);
  }
  const root: unknown = doc.toJS();
  const nodeLine = (path: readonly PathSegment[]): number | undefined => {
    // The deepest node on the path that exists (a missing field is reported on its item's line).
    for (let n = path.length; n >= 0; n--) {
      const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return lineOf(node.range[0]);
    }
    return undefined;
  };

  let items: unknown[];
  let base: PathSegment[];
  if (options.single) {
    if (root === null || typeof root !== 'object' || Array.isArray(root)) {
      throw new UsageError(argument, `${source} must hold one load balancer spec (an object with frontendVips, backends, ports ...)`, 'hcn apply -f takes a list of them');
    }
    items = [root];
    base = [];
  } else if (Array.isArray(root)) {
    items = root;
    base = [];
  } else if (root !== null && typeof root === 'object' && Array.isArray((root as Record<string, unknown>).loadBalancers)) {
    const extra = Object.keys(root).filter((k) => k !== 'loadBalancers');
    if (extra.length > 0) {
      throw new UsageError(argument, `${source} line ${nodeLine([extra[0]!])}: ${extra[0]}: unknown key (the file holds "loadBalancers" only)`);
    }
    items = (root as { loadBalancers: unknown[] }).loadBalancers;
    base = ['loadBalancers'];
  } else {
    throw new UsageError(
      argument,
      `${source} must hold an array of load balancer specs or { "loadBalancers": [...] }`,
      'see `hcn apply --help` for an example',
    );
  }

  const itemPath = (i: number): PathSegment[] => (options.single ? [] : [...base, i]);
  const itemName = (i: number): string => (options.single ? 'the spec' : formatPath(itemPath(i)));
  const specs: LoadBalancerSpec[] = [];
  const problems: string[] = [];
  items.forEach((raw, i) => {
    try {
      specs.push(validateLoadBalancerSpec(raw));
    } catch (err) {
      if (!(err instanceof HcnValidationError)) throw err;
      for (const issue of err.issues) {
        const path = [...itemPath(i), ...fieldPath(issue.field)];
        const name = options.single ? issue.field || '(spec)' : formatPath(path);
        problems.push(`${name} (line ${nodeLine(path) ?? '?'}): ${issue.message}`);
      }
    }
  });
  if (problems.length > 0) {
    throw new UsageError(
      argument,
      `${source}: ${problems.length === 1 ? 'a load balancer spec is invalid' : `${problems.length} problems`}:\n${problems.join('\n')}`,
      'fix the file; nothing was sent to HNS',
    );
  }
  return {
    source,
    specs,
    itemName,
    itemLine: (i) => nodeLine(itemPath(i)),
  };
}

/** Reads all of a stream as UTF-8 text. */
export async function readAll(stream: AsyncIterable<Buffer | string>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks).toString('utf8');
}
