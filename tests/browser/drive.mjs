// Drives headless Chromium (Debian's /usr/bin/chromium) through a list of steps given as
// JSON on stdin, and prints one JSON object: each step's result plus every console error
// and page error seen. tests/conftest.py wraps it as the `browser` fixture.
//
// Steps: {"goto": url}, {"waitFor": selector, "timeout": ms}, {"eval": "async () => ..."},
// {"click": selector}, {"select": [selector, value]},
// {"stroke": [selector, [[x, y], ...]]}  (mouse drag in element-relative CSS pixels),
// {"screenshot": path}, {"viewport": [width, height]}  (CSS pixels, e.g. a phone's)
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const steps = JSON.parse(fs.readFileSync(0, 'utf8'));
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'chromium-profile-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1000, height: 800 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const consoleErrors = [];
const page = context.pages()[0] || await context.newPage();
page.on('console', (msg) => { if (msg.type() === 'error') consoleErrors.push(msg.text()); });
page.on('pageerror', (err) => consoleErrors.push(String(err)));

const results = [];
let failure = null;
try {
  for (const step of steps) {
    if (step.goto) results.push((await page.goto(step.goto))?.status() ?? null);
    else if (step.waitFor) {
      await page.waitForSelector(step.waitFor, { timeout: step.timeout || 30000 });
      results.push(true);
    } else if (step.eval) results.push(await page.evaluate(`(${step.eval})()`));
    else if (step.click) { await page.click(step.click); results.push(true); }
    else if (step.select) { await page.selectOption(...step.select); results.push(true); }
    else if (step.stroke) {
      const [selector, points] = step.stroke;
      const box = await page.locator(selector).boundingBox();
      await page.mouse.move(box.x + points[0][0], box.y + points[0][1]);
      await page.mouse.down();
      for (const [x, y] of points.slice(1)) {
        await page.mouse.move(box.x + x, box.y + y, { steps: 2 });
      }
      await page.mouse.up();
      results.push(true);
    } else if (step.viewport) {
      await page.setViewportSize({ width: step.viewport[0], height: step.viewport[1] });
      results.push(true);
    } else if (step.screenshot) {
      await page.screenshot({ path: step.screenshot, fullPage: true });
      results.push(step.screenshot);
    } else throw new Error(`unknown step ${JSON.stringify(step)}`);
  }
} catch (err) {
  failure = String(err && err.stack || err);
} finally {
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify({ results, consoleErrors, failure }));
