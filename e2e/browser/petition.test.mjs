// Browser end-to-end test of the petition pages (package httpapi/web) in
// headless Debian Chromium driven by playwright-core: `petitionledger demo`
// on a loopback port, the seed petition's page (count, map, table), a
// signature made and confirmed through the API showing up live on the open
// petition's page without a reload, and the audit view. Screenshots go to
// e2e/artifacts/*.png.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { mkdtempSync, rmSync, mkdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import net from "node:net";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const artifacts = join(here, "..", "artifacts");
const binary = process.env.PETITIONLEDGER_BIN;
const chromiumPath = process.env.CHROMIUM_BIN || "/usr/bin/chromium";
const SEED = "Hold a public inquiry into Russian interference in UK politics";

let child, dir, base, browser, page;
let signed; // the sign API's receipt of the live test
const consoleErrors = []; // script errors and CSP violations
const mails = []; // confirmation links printed by the demo's mailer
const mailWaiters = [];

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

function nextMail(timeoutMs = 30_000) {
  if (mails.length) return Promise.resolve(mails.shift());
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the demo printed no confirmation link")), timeoutMs);
    mailWaiters.push((m) => { clearTimeout(timer); resolve(m); });
  });
}

async function startDemo() {
  assert.ok(binary, "PETITIONLEDGER_BIN must name the petitionledger binary (e2e/run.sh builds it)");
  dir = mkdtempSync(join(tmpdir(), "pl-browser-"));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  child = spawn(binary, ["demo", "--listen", `127.0.0.1:${port}`, "--store", join(dir, "store"), "--log-level", "warn", "--rate-limit", "0"],
    { stdio: ["ignore", "pipe", "inherit"] });
  createInterface({ input: child.stdout }).on("line", (line) => {
    const m = line.match(/^demo mail \(confirm_signature, petition (\d+)\): (\S+)$/);
    if (!m) return;
    const mail = { petition: Number(m[1]), link: m[2] };
    const w = mailWaiters.shift();
    if (w) w(mail); else mails.push(mail);
  });
  const exited = new Promise((_, reject) => child.on("exit", (code) => reject(new Error(`petitionledger demo exited with ${code}`))));
  const deadline = Date.now() + 120_000;
  for (;;) {
    const ok = await Promise.race([fetch(`${base}/readyz`).then((r) => r.ok, () => false), exited]);
    if (ok) return;
    if (Date.now() > deadline) throw new Error("petitionledger demo not ready within 120 s");
    await new Promise((r) => setTimeout(r, 250));
  }
}

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  assert.ok(existsSync(chromiumPath), `Chromium not found at ${chromiumPath}: install it (apt-get install chromium) or set CHROMIUM_BIN`);
  await startDemo();
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  page = await context.newPage();
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
});

after(async () => {
  await browser?.close();
  if (child && child.exitCode === null) {
    const done = new Promise((r) => child.on("exit", r));
    child.kill("SIGTERM");
    await done;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("the list finds the seed petition", async () => {
  await page.goto(`${base}/?state=all&q=inquiry`);
  await page.getByRole("link", { name: SEED }).waitFor();
  await page.screenshot({ path: join(artifacts, "list.png"), fullPage: true });
});

test("the seed petition shows its count, the map and the table", async () => {
  const count = await (await fetch(`${base}/petitions/1/count.json`)).json();
  await page.goto(`${base}/petition/1`);
  assert.equal(await page.locator("h1").textContent(), SEED);
  const shown = await page.locator("#signature-count").textContent();
  assert.equal(shown, count.signature_count.toLocaleString("en-GB"));
  assert.equal(await page.locator("#hexmap a.hex").count(), 650);
  assert.equal(await page.locator("#constituency-table tbody tr").count(), 650);
  // The map's colours come from the counts: most seats have signatures.
  const coloured = await page.locator("#hexmap polygon:not([fill='#eef3fa'])").count();
  assert.ok(coloured > 300, `only ${coloured} coloured hexes`);
  // Focusing a hex shows its tooltip.
  await page.locator("#hexmap a.hex").first().focus();
  const tip = page.locator("#map-tooltip");
  await tip.waitFor({ state: "visible" });
  assert.match(await tip.textContent(), /signatures$/);
  await page.locator("section.map figure").screenshot({ path: join(artifacts, "map.png") });
  // The table is in a <details>; sorting it by constituency (JS) orders it by name.
  await page.locator("#constituency-details summary").click();
  await page.getByRole("button", { name: "Constituency" }).click();
  const first = await page.locator("#constituency-table tbody tr td:first-child").first().textContent();
  assert.equal(first, "Aberafan Maesteg");
  await page.screenshot({ path: join(artifacts, "petition-seed.png"), fullPage: true });
});

test("a signature confirmed through the API updates the open petition's count live", async () => {
  await page.goto(`${base}/petition/2`);
  const before = Number(await page.locator("#signature-count").getAttribute("data-count"));
  await page.locator("#live-status").filter({ hasText: "Live" }).waitFor({ timeout: 15_000 }).catch(() => {});
  const res = await fetch(`${base}/petitions/2/signatures`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name: "Grace Hopper", email: "grace.e2e@example.org", postcode: "SW1A 1AA", country: "GB" }),
  });
  signed = await res.json();
  assert.equal(res.status, 202, JSON.stringify(signed));
  const mail = await nextMail();
  assert.equal(mail.petition, 2);
  const confirm = await fetch(mail.link, { method: "POST" });
  assert.ok(confirm.ok, `confirmation answered ${confirm.status}: ${await confirm.text()}`);
  await page.waitForFunction((n) => Number(document.getElementById("signature-count").dataset.count) === n, before + 1,
    { timeout: 15_000 });
  assert.equal(await page.locator("#signature-count").textContent(), (before + 1).toLocaleString("en-GB"));
  assert.equal(await page.locator("#progress-response").getAttribute("value"), String(Math.min(before + 1, 10000)));
  await page.screenshot({ path: join(artifacts, "petition-live.png"), fullPage: false });
});

test("the audit view lists the trail", async () => {
  await page.goto(`${base}/petition/1`);
  await page.getByRole("link", { name: "Audit trail of this petition" }).click();
  await page.locator("#audit-table tbody tr").first().waitFor();
  assert.equal(await page.locator("#audit-table tbody tr").count(), 50);
  assert.match(await page.locator("#audit-table tbody tr td:nth-child(3)").first().textContent(), /^Petition/);
  await page.getByRole("link", { name: "Next page" }).click();
  await page.waitForURL(/page=2/);
  await page.screenshot({ path: join(artifacts, "audit.png"), fullPage: false });
});

test("the page works without JavaScript", async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1100, height: 900 } });
  const p = await ctx.newPage();
  await p.goto(`${base}/petition/1`);
  assert.equal(await p.locator("#hexmap a.hex").count(), 650);
  assert.ok((await p.locator("#signature-count").textContent()).length > 0);
  await p.screenshot({ path: join(artifacts, "petition-nojs.png"), fullPage: false });
  await ctx.close();
});

test("verify my signature checks the receipt in the browser against the signed checkpoint", async () => {
  assert.ok(signed, "the live test signed first");
  const url = `${base}/ledger/receipt?position=${signed.position}&event_id=${signed.event_id}`;
  let receipt;
  for (let i = 0; i < 60 && !receipt; i++) {
    const r = await fetch(url);
    if (r.ok) receipt = await r.text();
    else await new Promise((res) => setTimeout(res, 500));
  }
  assert.ok(receipt, `no receipt from ${url}`);
  await page.goto(`${base}/petition/2/audit`);
  const result = page.locator("#verify-result");
  await page.locator("#receipt").fill(receipt);
  await page.getByRole("button", { name: "Verify" }).click();
  await page.waitForFunction(() => document.getElementById("verify-result").dataset.result);
  assert.equal(await result.getAttribute("data-result"), "ok", await result.textContent());
  await page.screenshot({ path: join(artifacts, "verify-ok.png"), fullPage: false });
  // A receipt whose leaf was changed fails.
  const bad = JSON.parse(receipt);
  const leaf = Buffer.from(bad.leaf, "base64");
  leaf[leaf.length - 2] ^= 1;
  bad.leaf = leaf.toString("base64");
  await page.locator("#receipt").fill(JSON.stringify(bad));
  await page.evaluate(() => { delete document.getElementById("verify-result").dataset.result; });
  await page.getByRole("button", { name: "Verify" }).click();
  await page.waitForFunction(() => document.getElementById("verify-result").dataset.result);
  assert.equal(await result.getAttribute("data-result"), "fail");
  assert.match(await result.textContent(), /not in the checkpoint's tree/);
});

test("keyboard and landmarks: skip link first, one main, no script errors or CSP violations", async () => {
  await page.goto(`${base}/petition/1`);
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "Skip to main content");
  await page.keyboard.press("Enter");
  assert.match(page.url(), /#main$/);
  for (const sel of ["header", "nav", "main", "footer"]) assert.equal(await page.locator(sel).first().count(), 1, sel);
  assert.equal(await page.locator("main").count(), 1);
  assert.deepEqual(consoleErrors, []);
});
