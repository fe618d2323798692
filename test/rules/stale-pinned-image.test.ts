/**
 * image/stale-pinned-image beyond its fixture folders: repositories written here (no git binary)
 * for the cases a fixture cannot express: an uncommitted pin, no .git, a scan below the top of
 * the work tree, a digest pin, and a pin older than the commits read.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { audit } from '../../src/audit.js';
import { discover } from '../../src/discover/index.js';
import { openGitHistory } from '../../src/discover/git-history.js';
import { buildModel } from '../../src/model/build-model.js';
import { buildRepository, type HistorySpec } from '../helpers/git-writer.js';

const RULE = 'image/stale-pinned-image';
const temps: string[] = [];
after(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

const DOCKERFILE = 'FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nCMD ["python", "app.py"]\n';
const DEV = 'services:\n  api:\n    build: ./api\n    image: ghcr.io/acme/api:dev\n';
const prod = (image: string): string => `services:\n  api:\n    image: ${image}\n`;

/** Write `files` under a fresh directory (the work tree), then the history. */
function repo(files: Record<string, string>, history?: HistorySpec, sub = ''): string {
  const top = mkdtempSync(join(tmpdir(), 'drydock-stale-pin-'));
  temps.push(top);
  const root = sub ? join(top, sub) : top;
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  if (history) buildRepository(top, history);
  return root;
}

const base = (image: string) => ({ 'compose.dev.yaml': DEV, 'compose.prod.yaml': prod(image), 'api/Dockerfile': DOCKERFILE, 'api/requirements.txt': 'flask==3.0.3\nredis==5.0.4\n', 'api/app.py': 'print(1)\n' });
const history = (pinned: string, prefix = ''): HistorySpec => ({
  commits: [
    {
      date: '2024-01-01T00:00:00Z',
      files: {
        [`${prefix}compose.dev.yaml`]: DEV,
        [`${prefix}compose.prod.yaml`]: prod(pinned),
        [`${prefix}api/Dockerfile`]: DOCKERFILE,
        [`${prefix}api/requirements.txt`]: 'flask==3.0.3\n',
        [`${prefix}api/app.py`]: 'print(1)\n',
      },
    },
    { date: '2024-02-01T00:00:00Z', files: { [`${prefix}api/requirements.txt`]: 'flask==3.0.3\nredis==5.0.4\n' } },
  ],
});

const findings = async (root: string) => (await audit({ root, git: 'auto' })).result.findings.filter((f) => f.ruleId === RULE);

test('a digest pin is a pin', async () => {
  const digest = `ghcr.io/acme/api@sha256:${'ab'.repeat(32)}`;
  const got = await findings(repo(base(digest), history(digest)));
  assert.deepEqual(got.map((f) => [f.location.file, f.location.startLine, f.environment]), [['compose.prod.yaml', 3, 'production']]);
  assert.match(got[0]!.message, /api\/requirements\.txt changed in [0-9a-f]{7} \(2024-02-01\)/);
  assert.ok(got[0]!.verify?.some((v) => v.startsWith('docker image inspect')));
});

test('latest (or no tag) is not a pin', async () => {
  assert.deepEqual(await findings(repo(base('ghcr.io/acme/api:latest'), history('ghcr.io/acme/api:latest'))), []);
  assert.deepEqual(await findings(repo(base('ghcr.io/acme/api'), history('ghcr.io/acme/api'))), []);
});

test('a pin edited but not committed yet: silent', async () => {
  const root = repo(base('ghcr.io/acme/api:1.5.0'), history('ghcr.io/acme/api:1.4.2'));
  assert.deepEqual(await findings(root), []);
});

test('no .git: silent', async () => {
  const withGit = repo(base('ghcr.io/acme/api:1.4.2'), history('ghcr.io/acme/api:1.4.2'));
  assert.equal((await findings(withGit)).length, 1);
  const copy = mkdtempSync(join(tmpdir(), 'drydock-stale-pin-nogit-'));
  temps.push(copy);
  cpSync(withGit, copy, { recursive: true });
  rmSync(join(copy, '.git'), { recursive: true, force: true });
  assert.deepEqual(await findings(copy), []);
});

test('scanning a folder below the top of the work tree', async () => {
  const root = repo(base('ghcr.io/acme/api:1.4.2'), history('ghcr.io/acme/api:1.4.2', 'services/'), 'services');
  const got = await findings(root);
  assert.deepEqual(got.map((f) => [f.location.file, f.location.startLine]), [['compose.prod.yaml', 3]]);
  assert.deepEqual(got[0]!.related.map((r) => r.location.file), ['api/requirements.txt', 'compose.dev.yaml']);
});

test('a pin older than the commits read still dates before a change inside them', async () => {
  const spec = history('ghcr.io/acme/api:1.4.2');
  for (let i = 0; i < 4; i++) spec.commits.splice(1, 0, { files: { [`notes/${i}.txt`]: `${i}\n` } });
  const root = repo(base('ghcr.io/acme/api:1.4.2'), spec);
  const d = discover(root);
  assert.ok(d.git);
  d.git.history = () => openGitHistory(join(root, '.git'), { maxCommits: 3 });
  const model = await buildModel(d);
  const api = model.environments.find((e) => e.name === 'production')!.services[0]!;
  assert.equal(api.pinnedImage?.pinCommit, undefined);
  assert.equal(api.pinnedImage?.commitsRead, 3);
  assert.deepEqual(api.pinnedImage?.changed.map((c) => c.path), ['api/requirements.txt']);
});
