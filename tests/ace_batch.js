// DAISY Ace over many EPUBs in one process, with one browser kept open between them.
//
//   node tests/ace_batch.js ACE_PREFIX LIST OUT
//
// ACE_PREFIX: the folder npm installed @daisy/ace-cli into (.venv/ace); LIST: a file with one
// EPUB path a line; OUT: a file where one JSON line per EPUB is written as it is checked:
// {"epub", "seconds", "report"} (Ace's report, as ace-cli writes it in report.json) or
// {"epub", "seconds", "error"}. Chromium is puppeteer's PUPPETEER_EXECUTABLE_PATH.
//
// ace-cli launches Chromium for each EPUB (about 5 s on 2 cores) and closes it after; here
// ace-core's checker is given a runner whose launch() and close() keep the first browser,
// and ACE_PAGES pages (default 2) check an EPUB's documents at once.
'use strict';

const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

const [prefix, listFile, outFile] = process.argv.slice(2);
const aceRequire = createRequire(path.join(path.resolve(prefix), 'node_modules', '@daisy', 'ace-cli', 'package.json'));
const ace = aceRequire('@daisy/ace-core');
const puppeteerRunner = aceRequire('@daisy/ace-axe-runner-puppeteer');
const winston = aceRequire('winston');

winston.add(new winston.transports.Console({ silent: true }));

let launched = false;
const runner = {
  setTimeout: (ms) => puppeteerRunner.setTimeout(ms),
  concurrency: parseInt(process.env.ACE_PAGES || '2', 10),
  launch: async () => {
    if (!launched) {
      await puppeteerRunner.launch();
      launched = true;
    }
  },
  close: async () => {}, // kept for the next EPUB; closed at the end
  run: (...args) => puppeteerRunner.run(...args),
};

async function main() {
  const epubs = fs.readFileSync(listFile, 'utf8').split('\n').filter(Boolean);
  const out = fs.openSync(outFile, 'w');
  const write = process.stdout.write.bind(process.stdout);
  for (const epub of epubs) {
    const start = process.hrtime.bigint();
    const line = { epub };
    process.stdout.write = () => true; // ace-core prints the report when given no outdir
    try {
      const [, report] = await ace(epub, { cwd: process.cwd(), silent: true, initLogger: false }, runner);
      line.report = report;
    } catch (err) {
      line.error = String(err && err.message ? err.message : err);
    } finally {
      process.stdout.write = write;
    }
    line.seconds = Number(process.hrtime.bigint() - start) / 1e9;
    fs.writeSync(out, JSON.stringify(line) + '\n');
  }
  fs.closeSync(out);
  if (launched) await puppeteerRunner.close();
}

main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(2);
});
