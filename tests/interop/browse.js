#!/usr/bin/env node
// Drives Debian's chromium (headless, through playwright-core) over pages
// of the bot's HTTP server, for tests/e2e/test_page_browser.py:
//
//   node browse.js CHROMIUM PROFILE_DIR OUT_DIR URL...
//
// For each URL, at a phone and a desktop width, in light and dark colour
// schemes: a screenshot into OUT_DIR, the rendered text, the links, what
// the page tried to load, its scripts, its colours, whether it overflows
// the width, and the serious or critical axe-core violations. Prints one
// JSON document; the Python test asserts on it.
'use strict';

const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const WIDTHS = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 900 } };

async function main() {
	const [exe, profile, out, ...urls] = process.argv.slice(2);
	// No network outside this machine: nothing of Google's may be tried.
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: exe,
		headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
	const results = [];
	try {
		const page = context.pages()[0] || await context.newPage();
		const requested = [];
		const console_ = [];
		page.on('request', (r) => requested.push(r.url()));
		page.on('console', (m) => console_.push(m.type() + ': ' + m.text()));
		for (const [i, url] of urls.entries()) {
			for (const [wname, size] of Object.entries(WIDTHS)) {
				for (const scheme of ['light', 'dark']) {
					requested.length = 0;
					console_.length = 0;
					await page.setViewportSize(size);
					await page.emulateMedia({ colorScheme: scheme });
					const resp = await page.goto(url, { waitUntil: 'load' });
					const shot = path.join(out, `page${i}-${wname}-${scheme}.png`);
					await page.screenshot({ path: shot, fullPage: true });
					const info = await page.evaluate(() => {
						const css = (el, p) => el ? getComputedStyle(el)[p] : null;
						const handlers = [...document.querySelectorAll('*')].filter(
							(el) => [...el.attributes].some((a) => /^on/i.test(a.name)));
						return {
							title: document.title,
							lang: document.documentElement.lang,
							text: document.body.innerText,
							links: [...document.querySelectorAll('a[href]')].map((a) => ({
								href: a.getAttribute('href'), text: a.innerText })),
							scripts: document.scripts.length,
							handlers: handlers.length,
							bodyColor: css(document.body, 'color'),
							bodyBackground: css(document.body, 'backgroundColor'),
							linkColor: css(document.querySelector('a'), 'color'),
							scrollWidth: document.documentElement.scrollWidth,
							clientWidth: document.documentElement.clientWidth,
						};
					});
					// The CSP forbids inline scripts: axe comes in through the debugger.
					await page.evaluate(axeSource);
					const axe = await page.evaluate(async () => {
						const r = await window.axe.run(document, { resultTypes: ['violations'] });
						return r.violations.map((v) => ({
							id: v.id, impact: v.impact, help: v.help,
							nodes: v.nodes.slice(0, 3).map((n) => n.html) }));
					});
					results.push({
						url, width: wname, scheme, screenshot: shot,
						status: resp.status(), headers: resp.headers(),
						requested: [...requested], console: [...console_], axe, ...info,
					});
				}
			}
		}
	} finally {
		await context.close();
	}
	process.stdout.write(JSON.stringify(results));
}

main().catch((e) => {
	console.error(e && e.stack ? e.stack : String(e));
	process.exit(1);
});
