import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Tree } from 'web-tree-sitter';
import { SourceFile } from '../../src/core/source-file.js';
import { parseShell, unquoteShellWord } from '../../src/parse/shell/parse-shell.js';
import type { ShellCommand } from '../../src/parse/shell/types.js';
import { commandBasename, unwrapCommand } from '../../src/parse/shell/unwrap.js';
import { loadLanguage } from '../../src/parse/tree-sitter.js';

const parse = (text: string) => parseShell(text, { file: 'docker/entrypoint.sh' });
const names = (cs: ShellCommand[]) => cs.map((c) => c.name);
const find = (cs: ShellCommand[], name: string) => {
  const c = cs.find((x) => x.name === name);
  assert.ok(c, `no command ${name} in ${names(cs).join(', ')}`);
  return c;
};

const ENTRYPOINT = `#!/bin/sh
set -e

until pg_isready -h "$DB_HOST" -p 5432; do
  echo "waiting for db"
  sleep 1
done

alembic upgrade head
exec gunicorn -b 0.0.0.0:8000 app.main:app
`;

describe('parseShell: a realistic entrypoint', () => {
  it('lists the commands in source order with exec unwrapped', async () => {
    const s = await parse(ENTRYPOINT);
    assert.deepEqual(names(s.commands), ['set', 'pg_isready', 'echo', 'sleep', 'alembic', 'gunicorn']);
    assert.deepEqual(
      s.commands.map((c) => c.exec),
      [false, false, false, false, false, true],
    );
    const g = find(s.commands, 'gunicorn');
    assert.deepEqual(
      g.args.map((a) => a.text),
      ['-b', '0.0.0.0:8000', 'app.main:app'],
    );
    assert.equal(s.shebang, '/bin/sh');
    assert.equal(s.errexit, true);
    assert.equal(s.hasErrors, false);
    assert.deepEqual(s.errors, []);
    assert.equal(s.file, 'docker/entrypoint.sh');
  });

  it('marks the retry loop and its condition', async () => {
    const s = await parse(ENTRYPOINT);
    const ready = find(s.commands, 'pg_isready');
    assert.equal(ready.context.loop, 'until');
    assert.equal(ready.context.inCondition, true);
    const sleep = find(s.commands, 'sleep');
    assert.equal(sleep.context.loop, 'until');
    assert.equal(sleep.context.inCondition, false);
    const alembic = find(s.commands, 'alembic');
    assert.equal(alembic.context.loop, undefined);
    assert.deepEqual(alembic.context, { inCondition: false, background: false, negated: false, subshell: false });
  });

  it('gives 1-based locations and file offsets', async () => {
    const s = await parse(ENTRYPOINT);
    const ready = find(s.commands, 'pg_isready');
    assert.deepEqual(ready.loc, { file: 'docker/entrypoint.sh', startLine: 4, startColumn: 7, endLine: 4, endColumn: 39 });
    assert.equal(ENTRYPOINT.slice(...ready.range), 'pg_isready -h "$DB_HOST" -p 5432');
    const host = ready.args[1]!;
    assert.equal(host.raw, '"$DB_HOST"');
    assert.equal(host.text, '$DB_HOST');
    assert.equal(host.loc.startColumn, 21);
    const g = find(s.commands, 'gunicorn');
    // the command includes `exec`; its name word does not
    assert.equal(g.loc.startLine, 10);
    assert.equal(g.loc.startColumn, 1);
    assert.equal(g.nameWord?.loc.startColumn, 6);
    assert.equal(g.nameWord?.raw, 'gunicorn');
  });

  it('computes locations inside a larger file from baseOffset', async () => {
    const dockerfile = 'FROM python:3.12\nRUN set -eux; \\\n    apt-get update && \\\n    apt-get install -y curl\nCMD ["x"]\n';
    const start = dockerfile.indexOf('set -eux');
    const end = dockerfile.indexOf('\nCMD');
    const source = new SourceFile('Dockerfile', dockerfile);
    const s = await parseShell(dockerfile.slice(start, end), { file: 'Dockerfile', source, baseOffset: start });
    assert.deepEqual(names(s.commands), ['set', 'apt-get', 'apt-get']);
    assert.equal(s.errexit, true);
    const install = s.commands[2]!;
    assert.equal(install.context.connector, '&&');
    assert.deepEqual(install.loc, { file: 'Dockerfile', startLine: 4, startColumn: 5, endLine: 4, endColumn: 28 });
    assert.equal(dockerfile.slice(...install.range), 'apt-get install -y curl');
  });
});

describe('parseShell: errexit', () => {
  const cases: [string, boolean][] = [
    ['set -e\nfoo', true],
    ['set -eu', true],
    ['set -o errexit', true],
    ['set -euo pipefail', true],
    ['set -eux; apt-get update', true],
    ['#!/bin/sh -e\nfoo', true],
    ['#!/usr/bin/env -S bash -e\nfoo', true],
    ['#!/bin/bash\nfoo', false],
    ['foo', false],
    ['set -u', false],
    ['set -o pipefail', false],
    ['set +e', false],
    ['set -- -e', false],
    ['f() { set -e; }', false], // only inside the function
    ['if true; then set -e; fi', false],
    ['( set -e; foo )', false],
    ['sh -c "set -e; foo"', false], // the child shell's, not this script's
  ];
  for (const [text, expected] of cases) {
    it(`${JSON.stringify(text)} → ${expected}`, async () => {
      assert.equal((await parse(text)).errexit, expected);
    });
  }
});

describe('parseShell: nesting and context', () => {
  it('parses the string of sh -c again, with locations inside it', async () => {
    const text = 'sh -c "python manage.py migrate && exec gunicorn x"';
    const s = await parse(text);
    assert.deepEqual(names(s.commands), ['sh', 'python', 'gunicorn']);
    const py = find(s.commands, 'python');
    assert.equal(py.context.inShellString, true);
    assert.deepEqual(py.loc, { file: 'docker/entrypoint.sh', startLine: 1, startColumn: 8, endLine: 1, endColumn: 32 });
    assert.equal(text.slice(...py.range), 'python manage.py migrate');
    const g = find(s.commands, 'gunicorn');
    assert.equal(g.exec, true);
    assert.equal(g.context.connector, '&&');
    assert.equal(text.slice(...g.range), 'exec gunicorn x');
    assert.equal(find(s.commands, 'sh').context.inShellString, undefined);
  });

  it('follows sh -c behind wrappers, across lines and with escapes', async () => {
    const text = `exec gosu app bash -ec 'alembic upgrade head
exec uvicorn app:app'
sh -c "echo \\"hi there\\" && exec \\$APP"`;
    const s = await parse(text);
    assert.deepEqual(names(s.commands), ['gosu', 'alembic', 'uvicorn', 'sh', 'echo', '$APP']);
    const uv = find(s.commands, 'uvicorn');
    assert.equal(uv.loc.startLine, 2);
    assert.equal(uv.loc.startColumn, 1);
    assert.equal(uv.exec, true);
    const echo = find(s.commands, 'echo');
    assert.deepEqual(
      echo.args.map((a) => a.text),
      ['hi there'],
    );
    assert.equal(text.slice(...echo.range), 'echo \\"hi there\\"');
  });

  it('sets functionName inside a function body, and lists functions', async () => {
    const s = await parse('start() {\n  exec uvicorn app:app\n}\nfunction stop { kill 1; }\nstart\n');
    assert.deepEqual(s.functions, ['start', 'stop']);
    assert.deepEqual(names(s.commands), ['uvicorn', 'kill', 'start']);
    assert.equal(s.commands[0]!.context.functionName, 'start');
    assert.equal(s.commands[0]!.exec, true);
    assert.equal(s.commands[1]!.context.functionName, 'stop');
    assert.equal(s.commands[2]!.context.functionName, undefined);
  });

  it('finds commands inside $( ), backticks, if and case', async () => {
    const s = await parse(
      'export SECRET=$(cat /run/secrets/key)\necho "$(hostname -i)" `date`\nif [ -z "$(ls /data)" ]; then init; elif x; then y; else z; fi\ncase "$1" in web) exec web;; *) exec "$@";; esac\n',
    );
    // `[ … ]` and `[[ … ]]` are test expressions in tree-sitter-bash; they are listed as the `[` / `[[` commands the shell runs, and their `$( )` too
    assert.deepEqual(names(s.commands), ['export', 'cat', 'echo', 'hostname', 'date', '[', 'ls', 'init', 'x', 'y', 'z', 'web', '$@']);
    assert.deepEqual(find(s.commands, '[').args.map((a) => a.text), ['-z', '$(ls /data)', ']']);
    assert.equal(find(s.commands, '[').context.inCondition, true);
    assert.equal(find(s.commands, 'cat').context.subshell, true);
    assert.equal(find(s.commands, 'export').context.subshell, false);
    assert.equal(find(s.commands, 'ls').context.inCondition, true);
    assert.equal(find(s.commands, 'init').context.inCondition, false);
    assert.equal(find(s.commands, 'x').context.inCondition, true);
    assert.equal(find(s.commands, '$@').exec, true);
  });

  it('records background, pipelines, && / ||, negation and subshells', async () => {
    const s = await parse('celery worker &\nmigrate || true\n! a | b\n(cd /app && make)\nfor f in *.sql; do psql -f "$f"; done\n');
    assert.equal(find(s.commands, 'celery').context.background, true);
    assert.equal(find(s.commands, 'migrate').context.connector, undefined);
    assert.equal(find(s.commands, 'true').context.connector, '||');
    assert.equal(find(s.commands, 'a').context.negated, true);
    assert.equal(find(s.commands, 'a').context.connector, '|');
    assert.equal(find(s.commands, 'b').context.connector, '|');
    assert.equal(find(s.commands, 'cd').context.subshell, true);
    assert.equal(find(s.commands, 'make').context.connector, '&&');
    assert.equal(find(s.commands, 'psql').context.loop, 'for');
  });

  it('does not treat heredoc bodies as commands', async () => {
    const s = await parse('cat > /etc/app.conf <<EOF\nrm -rf /\n$(danger)\nEOF\nexec app\n');
    assert.deepEqual(names(s.commands), ['cat', 'app']);
  });

  it('handles assignments', async () => {
    const s = await parse('A=1 B="two words"\nFOO=bar exec gunicorn x\nexec >>/var/log/app.log 2>&1\n');
    assert.deepEqual(names(s.commands), ['', 'gunicorn', 'exec']);
    assert.deepEqual(s.commands[0]!.assignments, [
      { name: 'A', value: '1' },
      { name: 'B', value: 'two words' },
    ]);
    const g = s.commands[1]!;
    assert.equal(g.exec, true);
    assert.deepEqual(g.assignments, [{ name: 'FOO', value: 'bar' }]);
    // exec with only redirections replaces nothing
    assert.equal(s.commands[2]!.exec, false);
  });

  it('splits prefix assignments that tree-sitter joins across a newline', async () => {
    const s = await parse('X=1 Y=2\nexec gunicorn app\n');
    assert.deepEqual(names(s.commands), ['', 'gunicorn']);
    assert.deepEqual(s.commands[1]!.assignments, []);
    assert.equal(s.commands[1]!.loc.startLine, 2);
    assert.equal(s.commands[1]!.exec, true);
  });

  it('reports syntax errors without throwing', async () => {
    const s = await parse('#!/bin/sh\nif then fi\nexec gunicorn "unterminated\n');
    assert.equal(s.hasErrors, true);
    assert.ok(s.errors.length > 0);
    assert.ok(s.errors[0]!.loc.startLine! >= 1);
    assert.match(s.errors[0]!.message, /syntax error|missing/);
    const t = await parse('case x in\n');
    assert.equal(t.hasErrors, true);
    const u = await parse('');
    assert.deepEqual(u.commands, []);
    assert.equal(u.hasErrors, false);
  });
});

describe('unquoteShellWord', () => {
  it('removes quotes and resolves escapes but keeps expansions as written', () => {
    assert.equal(unquoteShellWord(`"a \\"b\\""'c'$'\\n'\\x`).text, 'a "b"c\nx');
    assert.equal(unquoteShellWord('"${WORKERS:-4}"').text, '${WORKERS:-4}');
    assert.equal(unquoteShellWord('"$(echo "a b")"').text, '$(echo "a b")');
    assert.equal(unquoteShellWord("'it'\\''s'").text, "it's");
  });

  it('maps every character back to its raw offset', () => {
    const raw = `"a\\"b"`;
    const u = unquoteShellWord(raw);
    assert.equal(u.text, 'a"b');
    assert.deepEqual(u.map, [1, 3, 4, 6]);
  });
});

describe('unwrapCommand', () => {
  const u = (line: string) => {
    const [name, ...args] = line.split(' ');
    return unwrapCommand(name!, args);
  };
  it('peels init systems, user switchers and runners', () => {
    assert.deepEqual(u('tini -- gosu app gunicorn x'), { name: 'gunicorn', args: ['x'], wrappers: ['tini', 'gosu'] });
    assert.deepEqual(u('/sbin/tini -s -- dumb-init --single-child celery worker'), {
      name: 'celery',
      args: ['worker'],
      wrappers: ['tini', 'dumb-init'],
    });
    assert.deepEqual(u('exec su-exec app:app nohup node server.js'), {
      name: 'node',
      args: ['server.js'],
      wrappers: ['exec', 'su-exec', 'nohup'],
    });
    assert.deepEqual(u('env -i PATH=/bin FOO=1 python app.py').name, 'python');
    assert.deepEqual(u('setpriv --reuid=1000 --regid 1000 --init-groups -- python x').args, ['x']);
    assert.deepEqual(u('npx --yes prisma migrate deploy'), { name: 'prisma', args: ['migrate', 'deploy'], wrappers: ['npx'] });
    assert.equal(u('pnpm exec next start').name, 'next');
    assert.equal(u('yarn exec next start').name, 'next');
    assert.deepEqual(u('uv run --with gunicorn gunicorn app:app'), { name: 'gunicorn', args: ['app:app'], wrappers: ['uv run'] });
    assert.deepEqual(u('poetry run python -m app'), { name: 'python', args: ['-m', 'app'], wrappers: ['poetry run'] });
    assert.equal(u('pipenv run gunicorn app').name, 'gunicorn');
  });

  it('leaves alone what it does not peel', () => {
    assert.deepEqual(u('python -m gunicorn app'), { name: 'python', args: ['-m', 'gunicorn', 'app'], wrappers: [] });
    assert.deepEqual(u('sh -c x'), { name: 'sh', args: ['-c', 'x'], wrappers: [] });
    assert.deepEqual(u('uv run -m app').name, 'uv');
    assert.deepEqual(u('env').name, 'env');
    assert.deepEqual(u('gosu app').name, 'gosu');
    assert.deepEqual(u('pnpm start').name, 'pnpm');
    assert.deepEqual(u('npx -c x').name, 'npx');
  });

  it('returns a suffix of the input (parse-shell relies on it)', () => {
    const line = 'exec tini -- env A=1 gosu app uv run gunicorn app:app'.split(' ');
    const r = unwrapCommand(line[0]!, line.slice(1));
    assert.deepEqual([r.name, ...r.args], line.slice(line.length - 1 - r.args.length));
  });

  it('commandBasename strips the directory', () => {
    assert.equal(commandBasename('/usr/local/bin/gunicorn'), 'gunicorn');
    assert.equal(commandBasename('gunicorn'), 'gunicorn');
    assert.equal(commandBasename('./manage.py'), 'manage.py');
  });
});

describe('tree-sitter loading', () => {
  it('memoises one parser per language and loads python too', async () => {
    const a = await loadLanguage('bash');
    assert.equal(await loadLanguage('bash'), a);
    const py = await loadLanguage('python');
    const tree = py.parse('x = 1\n')!;
    assert.equal(tree.rootNode.type, 'module');
    tree.delete();
  });

  it('frees every tree: 500 parses do not leak', async () => {
    const parser = await loadLanguage('bash');
    const script = `${ENTRYPOINT}sh -c "python manage.py migrate && exec gunicorn x"\n`.repeat(8);
    // count trees made and freed by wrapping the shared parser's parse()
    const original = parser.parse.bind(parser);
    let made = 0;
    let freed = 0;
    parser.parse = ((...a: Parameters<typeof parser.parse>) => {
      const tree = original(...a) as Tree;
      made++;
      const del = tree.delete.bind(tree);
      tree.delete = () => {
        freed++;
        del();
      };
      return tree;
    }) as typeof parser.parse;
    try {
      for (let i = 0; i < 20; i++) await parse(script); // warm-up: let the WASM heap reach its size
      const before = process.memoryUsage().rss;
      for (let i = 0; i < 500; i++) await parse(script);
      const grown = (process.memoryUsage().rss - before) / 2 ** 20;
      assert.equal(made, 520 * 9, 'one tree for the script and one per sh -c string');
      assert.equal(freed, made);
      // without tree.delete() this loop grows RSS by well over 100 MiB
      assert.ok(grown < 64, `RSS grew by ${grown.toFixed(1)} MiB`);
    } finally {
      parser.parse = original;
    }
  });
});
