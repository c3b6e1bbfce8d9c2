// Drives generated/site/ in Debian's Chromium through playwright-core and prints what it saw as
// JSON: node drive_playground.mjs <site folder> <body file> <screenshot folder> [probe file].
// The Python test (test_site_browser.py) compares that with `genspec lint` on the same body.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const [siteDir, bodyFile, shotDir, probeFile] = process.argv.slice(2);
// Misspelt names to ask the page's did-you-mean about ({names, candidates}) and extra bodies
// to show ({bodies: {name: text}}).
const probes = probeFile ? JSON.parse(readFileSync(probeFile, "utf8")) : { names: [], candidates: [], bodies: {} };
const body = readFileSync(bodyFile, "utf8");
// SITE_BASE_URL (a static server of the same folder) replaces file:// when set.
const base = process.env.SITE_BASE_URL || pathToFileURL(resolve(siteDir) + "/").href;
const indexUrl = new URL("index.html", base).href;
const rulesUrl = new URL("rules.html", base).href;
const profile = mkdtempSync(join(tmpdir(), "genspec-site-chromium-"));

const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
const requests = [];
const consoleErrors = [];
context.on("request", (request) => requests.push(request.url()));
// Anything but a load from the site itself is refused as well as recorded: the page must not
// need it.
await context.route((url) => !url.href.startsWith(base), (route) => route.abort());

async function findingsShown(page) {
  return page.$$eval("#findings li", (items) =>
    items.map((li) => ({
      rule: li.dataset.rule,
      line: Number(li.dataset.line),
      column: Number(li.dataset.column),
      title: li.title,
      href: li.querySelector("a.id").getAttribute("href"),
    })),
  );
}

try {
  const page = await context.newPage();
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => consoleErrors.push(String(error)));
  await page.goto(indexUrl);
  const editor = page.locator("#body");
  await editor.fill("");
  await editor.pressSequentially(body);
  const typed = await editor.inputValue();
  const findings = await findingsShown(page);
  const suggestions = await page.evaluate(
    ({ names, candidates }) => names.map((name) => closestName(name, candidates)),
    probes,
  );
  const marks = await page.$$eval("#overlay mark", (items) => items.map((m) => m.textContent));

  // Clicking the last finding puts the caret at its line:col.
  await page.locator("#findings li").last().click();
  const caret = await editor.evaluate((el) => {
    const before = el.value.slice(0, el.selectionStart);
    const lines = before.split("\n");
    return { line: lines.length, column: [...lines.at(-1)].length + 1, focused: document.activeElement === el };
  });

  // Hovering the first underline shows its rule.
  const firstMark = page.locator("#overlay mark").first();
  const box = await firstMark.boundingBox();
  await page.mouse.move(box.x + 2, box.y + box.height / 2);
  const tooltip = await page.locator("#tooltip").evaluate((el) => ({ hidden: el.hidden, text: el.textContent }));
  await page.screenshot({ path: join(shotDir, "playground-hover.png") });

  await page.locator("#copy-curl").click();
  const curl = await page.locator("#output").textContent();
  await page.screenshot({ path: join(shotDir, "playground.png"), fullPage: true });

  // The share link: a fresh page opened at that URL restores the body and its findings.
  const shareUrl = page.url();
  const second = await context.newPage();
  await second.goto(shareUrl);
  const restored = await second.locator("#body").inputValue();
  const restoredFindings = await findingsShown(second);

  // The gallery: choosing an invalid example loads it and shows its rule.
  const galleryOption = await second.$eval("#gallery optgroup[label=invalid] option", (o) => ({ value: o.value, name: o.textContent }));
  await second.selectOption("#gallery", galleryOption.value);
  const galleryBody = await second.locator("#body").inputValue();
  const galleryFindings = await findingsShown(second);

  // Every curated example through the gallery, for the comparison with `genspec lint`.
  const everyExample = [];
  for (const option of await second.$$eval("#gallery option[value]:not([value=''])", (os) => os.map((o) => ({ value: o.value, name: o.textContent, kind: o.parentElement.label })))) {
    await second.selectOption("#gallery", option.value);
    everyExample.push({ name: `${option.kind}/${option.name}.json`, findings: await findingsShown(second) });
  }

  const extraBodies = {};
  for (const [name, text] of Object.entries(probes.bodies || {})) {
    await second.locator("#body").fill(text);
    extraBodies[name] = await findingsShown(second);
  }

  const rules = await context.newPage();
  await rules.goto(`${rulesUrl}#${findings[0] ? findings[0].rule : ""}`);
  const anchors = await rules.$$eval("section.rule", (sections) => sections.map((s) => s.id));
  await rules.screenshot({ path: join(shotDir, "rules.png") });

  console.log(JSON.stringify({
    typed, findings, suggestions, marks, caret, tooltip, curl, shareUrl, restored, restoredFindings,
    galleryOption, galleryBody, galleryFindings, everyExample, extraBodies, anchors, requests, consoleErrors,
  }));
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
