/** parseShell: the plain-list structure (joinedBy), redirections, literal words and `sh -c` string numbers. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SourceFile } from '../../src/core/source-file.js';
import { parseShell, type ShellCommand } from '../../src/parse/shell/parse-shell.js';

const parse = (text: string) => parseShell(text, { file: 'x.sh' });
const joins = (cmds: ShellCommand[]) => cmds.map((c) => `${c.context.joinedBy ?? '-'}${c.name}`);

describe('parseShell: plain lists', () => {
  it('says how each command joins the one before it', async () => {
    const s = await parse('a | b && c || d; e\nf & g');
    assert.deepEqual(joins(s.commands), [';a', '|b', '&&c', '||d', ';e', ';f', ';g']);
    assert.equal(s.commands[5]!.context.background, true);
  });

  it('gives no joinedBy to a text with a compound command, nor to commands inside $( )', async () => {
    assert.deepEqual(joins((await parse('a && if b; then c; fi')).commands), ['-a', '-b', '-c']);
    assert.deepEqual(joins((await parse('{ a; } && b')).commands), ['-a', '-b']);
    assert.deepEqual(joins((await parse('curl http://$(hostname):80/ || exit 1')).commands), [';curl', '-hostname', '||exit']);
  });

  it('lists `[ … ]` and `[[ … ]]` as commands of a plain list', async () => {
    const s = await parse('[ -f /x ] && [[ -n $Y ]] || curl x');
    assert.deepEqual(joins(s.commands), [';[', '&&[[', '||curl']);
    assert.deepEqual(s.commands[0]!.args.map((a) => a.text), ['-f', '/x', ']']);
  });

  it('numbers `sh -c` strings and reads each on its own', async () => {
    const s = await parse(`sh -c 'a && b' && bash -c "if x; then y; fi"`);
    assert.deepEqual(
      s.commands.map((c) => `${c.context.shellString ?? 0}${c.context.joinedBy ?? '-'}${c.name}`),
      ['0;sh', '1;a', '1&&b', '0&&bash', '2-x', '2-y'],
    );
  });
});

describe('parseShell: redirections and literal words', () => {
  it('attaches redirections to their command, also when tree-sitter hangs them on the list', async () => {
    const s = await parse('2>/dev/null curl -f x > out 2>&1 || a && b >>log');
    const [curl, , b] = s.commands;
    assert.deepEqual(curl!.redirects?.map((r) => [r.fd, r.op, r.target?.text]), [[2, '>', '/dev/null'], [undefined, '>', 'out'], [2, '>&', '1']]);
    assert.deepEqual(b!.redirects?.map((r) => [r.op, r.target?.text]), [['>>', 'log']]);
    assert.equal(s.commands[1]!.redirects, undefined);
  });

  it('marks words the shell expands', async () => {
    const s = await parse(`echo plain "quoted" 'single' \\* *.sh ~/x $A "$B" a{b,c} $(id) [ x[1]`);
    const lit = Object.fromEntries(s.commands[0]!.args.map((a) => [a.raw, a.literal]));
    assert.deepEqual(lit, {
      plain: true, '"quoted"': true, "'single'": true, '\\*': true, '*.sh': false, '~/x': false, $A: false, '"$B"': false,
      'a{b,c}': false, '$(id)': false, '[': true, 'x[1]': false,
    });
  });

  it('maps a text that is an escaped string in its file through `at`', async () => {
    const file = 'RUN ["sh", "-c", "echo \\"a b\\" && cat /x"]';
    const source = new SourceFile('Dockerfile', file);
    const start = file.indexOf('"echo') + 1;
    const text = 'echo "a b" && cat /x';
    // offsets of each character of text: skip the JSON backslashes
    const map: number[] = [];
    for (let i = start, k = 0; k < text.length; i++) if (file[i] === text[k]) (map.push(i), k++);
    map.push(map[map.length - 1]! + 1);
    const s = await parseShell(text, { file: 'Dockerfile', source, at: (i) => map[i]! });
    const cat = s.commands.find((c) => c.name === 'cat')!;
    assert.equal(file.slice(...cat.range), 'cat /x');
    assert.equal(cat.args[0]!.loc.startColumn, file.indexOf('/x"') + 1);
    assert.equal(file.slice(...s.commands[0]!.range), 'echo \\"a b\\"');
  });
});
