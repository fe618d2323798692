/**
 * The HTML report in a real browser (playwright-core driving the system Chromium; no browser is
 * ever downloaded): it loads from a file:// URL without a console error, draws the service
 * graphs, lists the findings, and a severity filter changes the visible list. A screenshot is
 * saved in the temporary directory (kept, with its path printed, when KEEP_SCREENSHOT=1).
 * Skipped when /usr/bin/chromium is not installed (`apt-get install -y chromium`).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { render } from '../../src/report/index.js';
import { GOLDEN, goldenContext, SECRETS } from './golden.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} not found: install it with \`apt-get install -y chromium\` to run the browser test`;

test('html report: graph, findings and filters work in Chromium', { skip, timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'drydock-html-'));
  const file = join(dir, 'report.html');
  writeFileSync(file, render('html', GOLDEN, goldenContext(), SECRETS));
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  const problems: string[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) problems.push(`network request: ${r.url()}`);
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });

    // one graph per environment, with its services as nodes
    const graphNodes = await page.$$eval('[data-graph-env]', (panels) =>
      panels.map((p) => [p.getAttribute('data-graph-env'), [...p.querySelectorAll('svg.graph .node')].map((n) => n.getAttribute('data-service')).sort()]),
    );
    assert.deepEqual(graphNodes, [
      ['development', ['db', 'web']],
      ['production', ['cache', 'db', 'web', 'worker']],
    ]);
    const edgeLabels = await page.$$eval('[data-graph-env="production"] .edge-label', (ls) => ls.map((l) => l.textContent).sort());
    assert.deepEqual(edgeLabels, ['healthy', 'started', 'started']);
    const box = await page.locator('[data-graph-env="development"] svg.graph').boundingBox();
    assert.ok(box && box.width > 100 && box.height > 40, `the graph has a size (${JSON.stringify(box)})`);

    // the findings list renders, all visible at first
    const visible = () => page.locator('article.finding:visible').count();
    assert.equal(await page.locator('article.finding').count(), GOLDEN.findings.length);
    assert.equal(await visible(), GOLDEN.findings.length);
    assert.equal(await page.locator('#shown').textContent(), `${GOLDEN.findings.length} of ${GOLDEN.findings.length} findings shown`);

    // a severity filter hides the critical findings
    const critical = GOLDEN.findings.filter((f) => f.severity === 'critical').length;
    await page.locator('input[data-filter="severity"][value="critical"]').click();
    assert.equal(await visible(), GOLDEN.findings.length - critical);
    assert.equal(await page.locator('article.finding[data-severity="critical"]:visible').count(), 0);

    // an environment filter on top of it, then reset
    await page.locator('input[data-filter="env"][value="production"]').click();
    const left = GOLDEN.findings.filter((f) => f.severity !== 'critical' && f.environment !== 'production').length;
    assert.equal(await visible(), left);
    await page.locator('#reset').click();
    assert.equal(await visible(), GOLDEN.findings.length);

    // clicking a service node shows that service's findings
    await page.locator('[data-graph-env="production"] svg.graph .node[data-service="db"]').click();
    const dbProd = GOLDEN.findings.filter((f) => f.service === 'db' && (f.environment === 'production' || f.environment === undefined)).length;
    assert.equal(await visible(), dbProd);
    await page.locator('#reset').click();

    const shot = join(dir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(statSync(shot).size > 10_000, 'the screenshot is not empty');
    if (process.env.KEEP_SCREENSHOT === '1') t.diagnostic(`screenshot: ${shot}`);
  } finally {
    await browser.close();
    if (process.env.KEEP_SCREENSHOT !== '1') rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(problems, []);
});
