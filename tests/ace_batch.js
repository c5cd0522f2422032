// DAISY Ace over many EPUBs in one process, with one browser kept open between them.
//
//   node tests/ace_batch.js ACE_PREFIX LIST OUT
//
// ACE_PREFIX: the folder npm installed @daisy/ace-cli into (.venv/ace); LIST: a file with one
// EPUB path a line, or "-" to read the paths from stdin as they come (the test session hands
// each EPUB over as soon as it finds it, and closes stdin at its end); OUT: a file where one
// JSON line per EPUB is written as it is checked: {"epub", "seconds", "documents", "reused",
// "report"} (Ace's report, as ace-cli writes it in report.json) or {"epub", "seconds", "error"}.
// Chromium is puppeteer's PUPPETEER_EXECUTABLE_PATH.
//
// ace-cli launches Chromium for each EPUB (about 5 s on 2 cores) and closes it after, and
// opens a new tab for each document; here ace-core's checker is given a runner that does
// what @daisy/ace-axe-runner-puppeteer's does (the same request handling, the same scripts,
// the same call of Ace's checks) but keeps one browser for all the EPUBs and ACE_PAGES tabs
// (default 2) that go from one document to the next, each running Ace's scripts as a
// document is created (where ace-axe-runner-puppeteer sends them over again and adds them as
// <script> elements once it is loaded): a third less CPU a document, and the same reports.
//
// Ace's time goes with the content documents (the browser's axe run on each: 0.3 s for a
// short one, 5-10 s for a long chapter of code), not with the EPUB. Many EPUBs the tests
// build share documents (the same chapter built with other options), so a document is
// checked once: its axe and extraction results are kept under the hash of its bytes and of
// every other file of the EPUB that is not a content document (style sheets, fonts, images:
// what could change how it renders), and given again, as a copy, to Ace for the next EPUB
// that holds the same document with the same resources. Ace then builds each EPUB's report
// from them as usual (and runs its own package checks on every EPUB).
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const readline = require('readline');
const { createRequire } = require('module');

const [prefix, listFile, outFile] = process.argv.slice(2);
const aceRequire = createRequire(path.join(path.resolve(prefix), 'node_modules', '@daisy', 'ace-cli', 'package.json'));
const ace = aceRequire('@daisy/ace-core');
const winston = aceRequire('winston');

winston.add(new winston.transports.Console({ silent: true }));

const DOCUMENT = /\.(x?html?|opf|ncx)$/i;
const checked = new Map(); // document key -> JSON of the runner's results
const resourceKeys = new Map(); // unzipped EPUB folder -> hash of its resources
let counts = { documents: 0, reused: 0 };

function sha256(data) {
  return crypto.createHash('sha256').update(data).digest('hex');
}

function filesUnder(dir) {
  const found = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...filesUnder(full));
    else found.push(full);
  }
  return found.sort();
}

function resourcesKey(basedir) {
  if (!resourceKeys.has(basedir)) {
    const hash = crypto.createHash('sha256');
    for (const file of filesUnder(basedir)) {
      if (DOCUMENT.test(file)) continue;
      hash.update(path.relative(basedir, file) + '\0' + sha256(fs.readFileSync(file)) + '\0');
    }
    resourceKeys.set(basedir, hash.digest('hex'));
  }
  return resourceKeys.get(basedir);
}

const puppeteer = createRequire(aceRequire.resolve('@daisy/ace-axe-runner-puppeteer'))('puppeteer');
const PAGES = parseInt(process.env.ACE_PAGES || '2', 10);
let browser = null;
let timeout = 240000; // as ace-axe-runner-puppeteer: 4 min for Ace's checks on one document
const idle = []; // tabs waiting for a document
const waiting = []; // documents waiting for a tab

async function newTab() {
  const page = await browser.newPage();
  await page.setRequestInterception(true);
  page.on('request', (request) => { // as ace-axe-runner-puppeteer: no network; XHTML served as XHTML
    const url = request.url();
    if (url && /^https?:\/\//.test(url)) {
      request.abort();
      return;
    }
    if (request.resourceType() === 'document' && url && /^file:\//.test(url) && /\.html?$/.test(url)) {
      fs.readFile(new URL(url), 'utf8', (err, xhtml) => {
        if (err) request.continue();
        else request.respond({ status: 200, contentType: 'application/xhtml+xml', body: xhtml });
      });
      return;
    }
    request.continue();
  });
  return page;
}

function tab() {
  return idle.length ? Promise.resolve(idle.pop()) : new Promise((resolve) => waiting.push(resolve));
}

function release(page) {
  if (waiting.length) waiting.shift()(page);
  else idle.push(page);
}

const sources = new Map(); // script path -> its text
const injected = new Map(); // tab -> { what: the scripts it runs in each document, ids: to remove them }

async function runInTab(page, url, scripts, scriptContents) {
  // Ace's scripts (axe: 1.3 MB) are run in each document as it is created, rather than added to it as
  // <script> elements and sent over again for each document: the same scripts, in the same order
  const texts = [...scriptContents, ...scripts.map((s) => {
    if (!sources.has(s)) sources.set(s, fs.readFileSync(s, 'utf8'));
    return sources.get(s);
  })];
  const what = sha256(texts.join('\0'));
  const had = injected.get(page);
  if (!had || had.what !== what) {
    for (const id of had ? had.ids : []) await page.removeScriptToEvaluateOnNewDocument(id);
    const ids = [];
    for (const text of texts) ids.push((await page.evaluateOnNewDocument(text)).identifier);
    injected.set(page, { what, ids });
  }
  await page.goto(url);
  return page.evaluate(() => new Promise((resolve, reject) => {
    /* eslint-disable */
    try {
      window.tryAceAxe = () => {
        if (!window.daisy || !window.daisy.ace || !window.daisy.ace.run || !window.daisy.ace.createReport || !window.axe) {
          window.tryAceAxeN++;
          if (window.tryAceAxeN < 15) {
            setTimeout(window.tryAceAxe, 400);
            return;
          }
          reject('window.tryAceAxe ' + window.tryAceAxeN);
          return;
        }
        window.daisy.ace.run((err, res) => (err ? reject(err) : resolve(res)));
      };
      window.tryAceAxeN = 0;
      window.tryAceAxe();
    } catch (exc) {
      reject(exc);
    }
    /* eslint-enable */
  }));
}

const runner = {
  setTimeout: (ms) => { timeout = parseInt(ms, 10) || timeout; },
  concurrency: PAGES,
  launch: async () => {
    if (browser) return;
    browser = await puppeteer.launch({ args: ['--no-sandbox', '--disable-setuid-sandbox'], headless: true,
      timeout: 5000 * 6, protocolTimeout: timeout });
    for (let i = 0; i < PAGES; i++) idle.push(await newTab());
  },
  close: async () => {}, // kept for the next EPUB; closed at the end
  run: async (url, scripts, scriptContents, basedir) => {
    counts.documents += 1;
    const doc = fs.readFileSync(new URL(url));
    // the document's path in the EPUB too: its links to the resources are relative
    const key = sha256([path.relative(basedir, new URL(url).pathname), sha256(doc), resourcesKey(basedir),
      ...scripts, ...scriptContents].join('\0'));
    if (checked.has(key)) {
      counts.reused += 1;
      return JSON.parse(checked.get(key));
    }
    let page = await tab();
    let results;
    try {
      results = await runInTab(page, url, scripts, scriptContents);
    } catch (err) { // a tab that failed is not used again
      try { await page.close(); } catch (_e) { /* closed */ }
      page = await newTab();
      throw err;
    } finally {
      release(page);
    }
    checked.set(key, JSON.stringify(results)); // ace-core changes the object it is given
    return results;
  },
};

async function check(epub, out) {
  const start = process.hrtime.bigint();
  const line = { epub };
  counts = { documents: 0, reused: 0 };
  try {
    const [, report] = await ace(epub, { cwd: process.cwd(), silent: true, initLogger: false }, runner);
    line.report = report;
  } catch (err) {
    line.error = String(err && err.message ? err.message : err);
  }
  line.seconds = Number(process.hrtime.bigint() - start) / 1e9;
  Object.assign(line, counts);
  fs.writeSync(out, JSON.stringify(line) + '\n');
}

async function main() {
  const out = fs.openSync(outFile, 'w');
  process.stdout.write = () => true; // ace-core prints the report when given no outdir
  if (listFile === '-') {
    const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const epub of lines) {
      if (epub.trim()) await check(epub.trim(), out);
    }
  } else {
    for (const epub of fs.readFileSync(listFile, 'utf8').split('\n').filter(Boolean)) {
      await check(epub, out);
    }
  }
  fs.closeSync(out);
  if (browser) await browser.close();
}

main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(2);
});
