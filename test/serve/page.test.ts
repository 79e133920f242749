// The search page in a real headless Chromium (Debian's `chromium`, driven by playwright-core; both
// installed by scripts/setup.sh): a Fashion-MNIST-like index (784-d uint8) shows the query and its
// neighbours as 28×28 images after a click on "Random query"; a words index answers a typed word with
// the nearest words. RINGANN_SCREENSHOT=file.png keeps a screenshot of the image page.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";
import { type ServeHandle, startServe } from "../../src/serve/serve.ts";
import { type ServedFixture, servedFixture } from "./fixture.ts";

const CHROMIUM = "/usr/bin/chromium";
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let images: ServedFixture;
let words: ServedFixture;
let h: ServeHandle;
let browser: BrowserContext;
let profile: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/setup.sh (apt-get install chromium)`);
  images = servedFixture({ n: 300, dim: 784, type: "uint8", seed: 5 });
  words = servedFixture({ n: 300, dim: 16, words: true, seed: 6 });
  h = await startServe({
    host: "127.0.0.1",
    port: 0,
    threads: 1,
    dispatch: "reuseport",
    token: null,
    corsOrigins: [],
    maxBodyBytes: 1 << 20,
    indexes: [
      images.config("fmnist-tiny", { defaults: { L: 60 } }),
      words.config("glove-tiny", { defaults: { L: 60 } }),
    ],
  });
  profile = mkdtempSync(join(tmpdir(), "ringann-chromium-"));
  browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await h?.stop();
  images?.cleanup();
  words?.cleanup();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

test("Fashion-MNIST: a random query shows the query and its 10 neighbours as 28×28 images with the stats", async () => {
  const page = await browser.newPage();
  await page.setViewportSize({ width: 1100, height: 760 });
  await page.goto(`${h.url}/`);
  await page.waitForSelector("#index option", { state: "attached" });
  expect(await page.inputValue("#index")).toBe("fmnist-tiny");
  await page.click("#random");
  await page.waitForSelector("[data-testid=neighbour] canvas");
  expect(await page.locator("[data-testid=neighbour]").count()).toBe(10);
  expect(await page.locator("#querycell canvas").count()).toBe(1);
  // Every canvas holds a drawn image: some pixel is not black.
  // (Run in the page; a string, since the test's TypeScript has no DOM types.)
  const lit = (await page.evaluate(`Array.from(document.querySelectorAll("canvas")).map((c) => {
    const d = c.getContext("2d").getImageData(0, 0, 28, 28).data;
    let s = 0;
    for (let i = 0; i < d.length; i += 4) s += d[i];
    return s > 0;
  })`)) as boolean[];
  expect(lit.length).toBe(11);
  expect(lit.every(Boolean)).toBe(true);
  const stats = await page.textContent("#stats");
  for (const label of ["latency", "reads", "hops", "I/O occupancy", "784-d ok"]) expect(stats).toContain(label);
  expect(await page.textContent("#error")).toBe("");
  if (process.env.RINGANN_SCREENSHOT) await page.screenshot({ path: process.env.RINGANN_SCREENSHOT, fullPage: true });
  await page.close();
}, 60_000);

test("GloVe-like words: typing a word shows the nearest words; a pasted wrong-length vector shows the 400 error", async () => {
  const page = await browser.newPage();
  await page.goto(`${h.url}/`);
  await page.waitForSelector("#index option", { state: "attached" });
  await page.selectOption("#index", "glove-tiny");
  await page.fill("#word", "w42x");
  await page.click("#wordgo");
  await page.waitForSelector("[data-testid=neighbour] .word");
  const shown = await page.locator("[data-testid=neighbour] .word").allTextContents();
  expect(shown.length).toBe(10);
  expect(shown[0]).toBe("w42x"); // a base word's nearest neighbour is itself
  expect(shown.every((w) => /^w\d+x$/.test(w))).toBe(true);
  await page.fill("#vector", "1, 2, 3");
  await page.click("#pasted");
  await page.waitForFunction(`document.getElementById("error").textContent !== ""`);
  expect(await page.textContent("#error")).toContain("400 E_DIMENSION");
  await page.close();
}, 60_000);
