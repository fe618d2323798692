import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SourceFile } from '../../src/core/source-file.js';
import { parseDockerfile } from '../../src/parse/dockerfile/parse-dockerfile.js';
import { expandVariables, processWord } from '../../src/parse/dockerfile/expand.js';
import type { DockerInstruction } from '../../src/parse/dockerfile/types.js';

const parse = (text: string) => parseDockerfile(new SourceFile('Dockerfile', text));
const only = (text: string, keyword: string): DockerInstruction => {
  const found = parse(text).instructions.filter((i) => i.keyword === keyword);
  assert.equal(found.length, 1, `one ${keyword}`);
  return found[0]!;
};
const at = (startLine: number, startColumn: number, endLine: number, endColumn: number) => ({
  file: 'Dockerfile', startLine, startColumn, endLine, endColumn,
});

test('instruction, keyword, argument and flag locations are 1-based with offsets', () => {
  const text = 'FROM python:3.12 AS base\nRUN --mount=type=cache,target=/root/.cache pip install x\n';
  const ast = parse(text);
  assert.deepEqual(ast.errors, []);
  const [from, run] = ast.instructions;
  assert.equal(from!.keyword, 'FROM');
  assert.deepEqual(from!.loc, at(1, 1, 1, 25));
  assert.deepEqual(from!.args.map((a) => a.value), ['python:3.12', 'AS', 'base']);
  assert.deepEqual(from!.args[0]!.loc, at(1, 6, 1, 17));
  assert.equal(run!.argsText, 'pip install x');
  assert.deepEqual(run!.keywordLoc, at(2, 1, 2, 4));
  assert.deepEqual(run!.flags, [{ name: 'mount', value: 'type=cache,target=/root/.cache', loc: at(2, 5, 2, 43) }]);
  assert.equal(text.slice(...run!.argsRange), 'pip install x');
  assert.equal(text.slice(...run!.range), 'RUN --mount=type=cache,target=/root/.cache pip install x');
  assert.deepEqual(run!.argsLoc, at(2, 44, 2, 57));
});

test('exec form keeps spaces inside JSON strings; anything else is shell form', () => {
  const cmd = only('FROM x\nCMD ["sh", "-c", "exec node server.js"]\n', 'CMD');
  assert.deepEqual(cmd.exec, ['sh', '-c', 'exec node server.js']);
  assert.deepEqual(cmd.execLocs?.[2], at(2, 18, 2, 39));
  assert.equal(only('FROM x\nCMD ["node", "server.js"\n', 'CMD').exec, null);
  assert.equal(only('FROM x\nCMD [1, 2]\n', 'CMD').exec, null);
  assert.equal(only('FROM x\nCMD node server.js\n', 'CMD').exec, null);
  assert.deepEqual(only('FROM x\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\n', 'SHELL').exec, ['/bin/bash', '-o', 'pipefail', '-c']);
  assert.deepEqual(only('FROM x\nCOPY ["my file.txt", "/app/"]\n', 'COPY').exec, ['my file.txt', '/app/']);
  // not an exec-form keyword: JSON is just text
  assert.equal(only('FROM x\nLABEL ["a"]\n', 'LABEL').exec, null);
});

test('HEALTHCHECK keeps its flags and exposes CMD exec form', () => {
  const text = 'FROM x\nHEALTHCHECK --interval=5s --timeout=3s CMD ["curl", "-f", "http://localhost/"]\nHEALTHCHECK NONE\n';
  const [, hc, none] = parse(text).instructions;
  assert.deepEqual(hc!.flags.map((f) => [f.name, f.value]), [['interval', '5s'], ['timeout', '3s']]);
  assert.ok(hc!.argsText.startsWith('CMD ['));
  assert.deepEqual(hc!.exec, ['curl', '-f', 'http://localhost/']);
  assert.equal(none!.argsText, 'NONE');
  assert.equal(none!.exec, null);
  const shell = only('FROM x\nHEALTHCHECK CMD curl -f http://x || exit 1\n', 'HEALTHCHECK');
  assert.equal(shell.exec, null);
  assert.equal(shell.argsText, 'CMD curl -f http://x || exit 1');
});

test('continuations join lines, drop comment and blank lines, and keep real word locations', () => {
  const text = 'FROM x\nRUN apt-get update && \\\n    # a comment\n\n    apt-get install -y curl\nCMD ["gunicorn", \\\n  "app:app"]\n';
  const ast = parse(text);
  const run = ast.instructions[1]!;
  assert.equal(run.argsText, 'apt-get update &&     apt-get install -y curl');
  const curl = run.args.find((a) => a.value === 'curl')!;
  assert.deepEqual(curl.loc, at(5, 24, 5, 28));
  assert.deepEqual(run.loc, at(2, 1, 5, 28));
  const cmd = ast.instructions[2]!;
  assert.deepEqual(cmd.exec, ['gunicorn', 'app:app']);
  assert.deepEqual(cmd.execLocs?.[1], at(7, 3, 7, 12));
});

test('words respect quotes', () => {
  const env = only('FROM x\nENV A="x y" B=\'p q\' C=z\n', 'ENV');
  assert.deepEqual(env.args.map((a) => a.value), ['A="x y"', "B='p q'", 'C=z']);
  assert.deepEqual(env.args[1]!.loc, at(2, 13, 2, 20));
});

test('heredoc bodies are sliced from the source and left out of argsText', () => {
  const text = 'FROM x\nRUN <<EOF\necho hi\necho there\nEOF\nCOPY <<-A /a <<B /b\n\tone\n\tA\ntwo\nB\nRUN cat <<\'PY\' | python\nprint(1)\nPY\nUSER app\n';
  const ast = parse(text);
  assert.deepEqual(ast.errors, []);
  assert.deepEqual(ast.instructions.map((i) => i.keyword), ['FROM', 'RUN', 'COPY', 'RUN', 'USER']);
  const [, run, copy, py, user] = ast.instructions;
  assert.equal(run!.argsText, '<<EOF');
  assert.deepEqual(run!.heredocs.map((h) => [h.name, h.body]), [['EOF', 'echo hi\necho there\n']]);
  assert.deepEqual(run!.heredocs[0]!.loc, at(3, 1, 4, 11));
  assert.deepEqual(run!.loc, at(2, 1, 5, 4));
  assert.equal(copy!.argsText, '<<-A /a <<B /b');
  assert.deepEqual(copy!.heredocs.map((h) => [h.name, h.body, h.chomp]), [['A', 'one\n', true], ['B', 'two\n', false]]);
  assert.equal(py!.heredocs[0]!.quoted, true);
  assert.equal(py!.heredocs[0]!.body, 'print(1)\n');
  assert.deepEqual(user!.loc, at(14, 1, 14, 9));
  assert.equal(user!.stage, 0);
});

test('an unterminated heredoc is reported', () => {
  const ast = parse('FROM x\nRUN <<EOF\necho never closed\n');
  assert.equal(ast.instructions[1]!.heredocs[0]!.body, 'echo never closed\n');
  assert.match(ast.errors[0]!.message, /never closed/);
});

test("`<< 'EOF'` with a space is an error, and its body lines are not instructions", () => {
  const ast = parse("FROM x\nRUN cat << 'EOF' > /etc/x\nsetopt\nPS1=X\nEOF\nUSER app\n");
  assert.deepEqual(ast.instructions.map((i) => i.keyword), ['FROM', 'RUN', 'USER']);
  assert.equal(ast.errors.length, 1);
  assert.match(ast.errors[0]!.message, /not a heredoc/);
  assert.deepEqual(ast.errors[0]!.loc, at(2, 9, 2, 17));
  // shell arithmetic is not mistaken for one
  assert.deepEqual(parse('FROM x\nRUN echo $((1 << 2))\n').errors, []);
});

test('unknown keywords are errors', () => {
  const ast = parse('FROM x\nfoo bar\nrun echo ok\n');
  assert.deepEqual(ast.instructions.map((i) => i.keyword), ['FROM', 'FOO', 'RUN']);
  assert.deepEqual(ast.errors, [{ message: 'unknown instruction: foo', loc: at(2, 1, 2, 4) }]);
});

test('binary input yields no instructions and one error', () => {
  const ast = parse('FROM x\u0000\u0001\u0002RUN y');
  assert.equal(ast.binary, true);
  assert.deepEqual(ast.instructions, []);
  assert.deepEqual(ast.errors, [{ message: 'not a text file', loc: { file: 'Dockerfile' } }]);
});

test('the escape directive switches the continuation character', () => {
  const text = '# escape=`\nFROM mcr.microsoft.com/windows/servercore\nWORKDIR C:\\app\nRUN echo a `\n  b\n';
  const ast = parse(text);
  assert.equal(ast.escape, '`');
  const [, workdir, run] = ast.instructions;
  assert.equal(workdir!.argsText, 'C:\\app');
  assert.equal(run!.argsText, 'echo a   b');
  assert.deepEqual(run!.args[2]!.loc, at(5, 3, 5, 4));
});

test('stage indexes, CRLF and a BOM', () => {
  const text = '\uFEFFARG V=1\r\nFROM a AS one\r\nRUN x \\\r\n  y\r\nFROM b\r\nCMD z\r\n';
  const ast = parse(text);
  assert.deepEqual(ast.instructions.map((i) => [i.keyword, i.stage]), [['ARG', -1], ['FROM', 0], ['RUN', 0], ['FROM', 1], ['CMD', 1]]);
  assert.equal(ast.instructions[2]!.argsText, 'x   y');
  assert.deepEqual(ast.instructions[2]!.args[1]!.loc, at(4, 3, 4, 4));
  assert.deepEqual(ast.instructions[0]!.loc, at(1, 2, 1, 9));
});

test('flags without a value and instructions without arguments', () => {
  const ast = parse('FROM x\nCOPY --link --from=build /a /b\nRUN\n');
  assert.deepEqual(ast.instructions[1]!.flags.map((f) => [f.name, f.value]), [['link', null], ['from', 'build']]);
  const run = ast.instructions[2]!;
  assert.equal(run.argsText, '');
  assert.deepEqual(run.args, []);
  assert.equal(run.argsRange[0], run.argsRange[1]);
});

test('never throws on odd input', () => {
  const inputs = ['', '\n\n', '\\', 'FROM', 'RUN <<', 'RUN <<-', 'COPY <<EOF', '# escape=`\n`', 'FROM x\nRUN [', 'HEALTHCHECK', 'ONBUILD RUN <<A\nA\n', '\r\r\r', '"\'`$'];
  for (const input of inputs) {
    assert.doesNotThrow(() => parse(input), JSON.stringify(input));
  }
});

test('expandVariables: forms, defaults, nesting, escapes and quotes', () => {
  const vars: Record<string, string> = { A: 'a', EMPTY: '', B: 'b' };
  const lookup = (n: string) => vars[n];
  const x = (s: string) => expandVariables(s, lookup);
  assert.equal(x('$A-${A}'), 'a-a');
  assert.equal(x('${UNSET}|$UNSET'), '|');
  assert.equal(x('${EMPTY:-d}|${EMPTY-d}|${UNSET-d}'), 'd||d');
  assert.equal(x('${A:+alt}|${EMPTY:+alt}|${EMPTY+alt}|${UNSET+alt}'), 'alt||alt|');
  assert.equal(x('${A:?required}|${UNSET:?msg}'), 'a|');
  assert.equal(x('${UNSET:-${B}-${A:-no}}'), 'b-a');
  assert.equal(x('\\$A costs $'), '$A costs $');
  assert.equal(x("'$A' \"$A\""), "'$A' \"a\"");
  assert.equal(expandVariables('`$A $A', lookup, '`'), '$A a');
  assert.equal(processWord('"x $A" \'$B\' \\"', lookup), 'x a $B "');
});
