// Every TypeScript block of README.md and docs/guides/*.md compiles as pasted, in a consumer project
// that depends on hcn-sdk: each block is its own ES module file, compiled by tsc with strict on,
// module/moduleResolution NodeNext, against the package's exports map and shipped .d.ts files
// (node_modules/hcn-sdk is this package, built by `npm run build:ts`). Nothing is run.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');

interface Snippet {
  doc: string;
  line: number;
  code: string;
  file: string;
}

function docs(): string[] {
  const guides = path.join(root, 'docs', 'guides');
  return ['README.md', ...fs.readdirSync(guides).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/guides/${f}`)];
}

function extract(doc: string): Omit<Snippet, 'file'>[] {
  const lines = fs.readFileSync(path.join(root, doc), 'utf8').split('\n');
  const out: Omit<Snippet, 'file'>[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*```(ts|typescript)\s*$/.test(lines[i]!)) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end]!)) end++;
    out.push({ doc, line: start + 1, code: lines.slice(start, end).join('\n') + '\n' });
    i = end;
  }
  return out;
}

test('every TypeScript block in README.md and docs/guides compiles as pasted (strict, NodeNext, importing hcn-sdk)', (t) => {
  t.true(fs.existsSync(path.join(root, 'dist', 'index.d.ts')), 'dist/ is not built (npm run build:ts)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hcn-snippets-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.mkdirSync(path.join(dir, 'node_modules', '@types'), { recursive: true });
  fs.symlinkSync(root, path.join(dir, 'node_modules', 'hcn-sdk'), 'junction');
  fs.symlinkSync(path.join(root, 'node_modules', '@types', 'node'), path.join(dir, 'node_modules', '@types', 'node'), 'junction');
  // The simulator guide's test example uses ava, as a consumer's test suite would.
  fs.symlinkSync(path.join(root, 'node_modules', 'ava'), path.join(dir, 'node_modules', 'ava'), 'junction');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'snippets', private: true, type: 'module', dependencies: { 'hcn-sdk': '*' } }));
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        // `await using` needs the disposable declarations; Node 20 has Symbol.asyncDispose.
        lib: ['ES2022', 'ESNext.Disposable'],
        types: ['node'],
        noEmit: true,
        noUnusedLocals: false,
        preserveSymlinks: false,
      },
      include: ['*.ts'],
    }),
  );
  const snippets: Snippet[] = [];
  for (const doc of docs()) {
    extract(doc).forEach((s, i) => {
      const file = `${doc.replace(/[/.]/g, '_')}_${i + 1}.ts`;
      fs.writeFileSync(path.join(dir, file), s.code);
      snippets.push({ ...s, file });
    });
  }
  t.true(snippets.length >= 10, `found only ${snippets.length} TypeScript blocks`);
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', dir, '--pretty', 'false'], { cwd: dir, encoding: 'utf8' });
  // Map "file.ts(3,7): error TS...: msg" back to the document and its line.
  const errors = (r.stdout + r.stderr)
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const m = /^(.+?\.ts)\((\d+),(\d+)\): (error .*)$/.exec(l);
      const s = m ? snippets.find((x) => x.file === path.basename(m[1]!)) : undefined;
      return s && m ? `${s.doc}:${s.line + Number(m[2]) - 1}: ${m[4]}` : l;
    });
  t.deepEqual(errors, [], `TypeScript blocks that do not compile:\n${errors.join('\n')}`);
  t.is(r.status, 0);
});
