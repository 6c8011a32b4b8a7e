// Drives headless Chromium (Debian's /usr/bin/chromium) through a list of steps given as
// JSON on stdin, and prints one JSON object: each step's result plus every console error
// and page error seen. tests/conftest.py wraps it as the `browser` fixture.
//
// Input: [steps] or {steps, context: {...}, args: [...]}: context options for playwright's
// browser context (viewport, deviceScaleFactor, hasTouch, isMobile, serviceWorkers...),
// extra Chromium flags (e.g. --host-resolver-rules).
//
// Steps (one key each, plus options):
//   {"goto": url, "waitUntil": "load"|"commit"}   {"reload": true}
//   {"waitFor": selector, "timeout": ms}          {"wait": ms}
//   {"eval": "async () => ..."}                   {"initScript": "js run before each page"}
//   {"click": selector}  {"rightClick": selector}  {"tap": selector}  (tap: a touch)
//   {"select": [selector, value]}  {"focus": selector}  {"press": key}
//   {"stroke": [selector, [[x, y], ...]]}         mouse drag, element-relative CSS pixels
//       ("units": true: x, y in units of the element's width and height)
//   {"touchStroke": [selector, [[x, y], ...]]}    the same with a finger (context hasTouch)
//   {"download": [selector, path]}                click, save what the page downloads
//   {"route": glob, "action": "abort"|"html"|"status"|"delay", "status": n, "ms": n}
//   {"unroute": glob}   {"offline": true|false}
//   {"copyFile": [from, to]}                      e.g. a new build's file into the served folder
//   {"throttle": bytesPerSecond}                  (0: no throttling) Chromium's emulation
//   {"screenshot": path, "fullPage": bool}        {"viewport": [width, height]}
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const input = JSON.parse(fs.readFileSync(0, 'utf8'));
const { steps, context: contextOptions = {}, args = [] } = Array.isArray(input) ? { steps: input } : input;
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'chromium-profile-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1000, height: 800 },
  acceptDownloads: true,
  ...contextOptions,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', ...args],
});
const consoleErrors = [];
const page = context.pages()[0] || await context.newPage();
page.on('console', (msg) => { if (msg.type() === 'error') consoleErrors.push(msg.text()); });
page.on('pageerror', (err) => consoleErrors.push(String(err)));
let cdp = null;
const devtools = async () => (cdp = cdp || await context.newCDPSession(page));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The element's box, and its points in page coordinates. */
async function place(selector, points, units) {
  const { x, y, width, height } = await page.locator(selector).boundingBox();
  return points.map(([px, py]) => (units ? [x + px * width, y + py * height] : [x + px, y + py]));
}

async function touch(type, x, y) {
  await (await devtools()).send('Input.dispatchTouchEvent', {
    type, touchPoints: type === 'touchEnd' ? [] : [{ x, y, id: 1, radiusX: 4, radiusY: 4, force: 1 }],
  });
}

async function route(step) {
  await page.route(step.route, async (request) => {
    if (step.action === 'abort') return request.abort('internetdisconnected');
    if (step.action === 'html') {
      return request.fulfill({ status: 200, contentType: 'text/html',
        body: '<!doctype html><title>Sign in</title><p>Please sign in to this network.</p>' });
    }
    if (step.action === 'status') return request.fulfill({ status: step.status, body: 'error' });
    if (step.action === 'delay') await sleep(step.ms);
    return request.continue();
  });
}

async function run(step) {
  if (step.goto) return (await page.goto(step.goto, { waitUntil: step.waitUntil || 'load' }))?.status() ?? null;
  if (step.reload) return (await page.reload())?.status() ?? null;
  if (step.waitFor) return !!await page.waitForSelector(step.waitFor, { timeout: step.timeout || 30000 });
  if (step.wait) return sleep(step.wait).then(() => true);
  if (step.eval) return page.evaluate(`(${step.eval})()`);
  if (step.initScript) return context.addInitScript(step.initScript).then(() => true);
  if (step.click) return page.click(step.click).then(() => true);
  if (step.rightClick) return page.click(step.rightClick, { button: 'right' }).then(() => true);
  if (step.tap) return page.tap(step.tap).then(() => true);
  if (step.select) return page.selectOption(...step.select).then(() => true);
  if (step.focus) return page.focus(step.focus).then(() => true);
  if (step.press) return page.keyboard.press(step.press).then(() => true);
  if (step.stroke) {
    const points = await place(...step.stroke, step.units);
    await page.mouse.move(...points[0]);
    await page.mouse.down();
    for (const point of points.slice(1)) await page.mouse.move(...point, { steps: 2 });
    await page.mouse.up();
    return true;
  }
  if (step.touchStroke) {
    const points = await place(...step.touchStroke, step.units);
    await touch('touchStart', ...points[0]);
    for (const point of points.slice(1)) await touch('touchMove', ...point);
    await touch('touchEnd');
    return true;
  }
  if (step.download) {
    const [selector, file] = step.download;
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
    await download.saveAs(file);
    return download.suggestedFilename();
  }
  if (step.route) return route(step).then(() => true);
  if (step.unroute) return page.unroute(step.unroute).then(() => true);
  if (step.copyFile) return fs.promises.copyFile(...step.copyFile).then(() => true);
  if ('offline' in step) return context.setOffline(step.offline).then(() => true);
  if ('throttle' in step) {
    const rate = step.throttle;
    await (await devtools()).send('Network.emulateNetworkConditions', {
      offline: false, latency: rate ? 50 : 0, uploadThroughput: -1,
      downloadThroughput: rate || -1 });
    return true;
  }
  if (step.viewport) {
    await page.setViewportSize({ width: step.viewport[0], height: step.viewport[1] });
    return true;
  }
  if (step.screenshot) {
    await page.screenshot({ path: step.screenshot, fullPage: step.fullPage !== false });
    return step.screenshot;
  }
  throw new Error(`unknown step ${JSON.stringify(step)}`);
}

const results = [];
let failure = null;
try {
  for (const step of steps) results.push(await run(step));
} catch (err) {
  failure = `step ${results.length} ${JSON.stringify(steps[results.length]).slice(0, 200)}: `
    + String(err && err.stack || err);
} finally {
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify({ results, consoleErrors, failure }));
