// A screenshot of the search page of a running `ringann serve` (headless Chromium via playwright-core):
// clicks "Random query" (or searches --word for a words index) and saves the page.
// Run:
//   ringann serve --index $DATA/idx/fmnist_R64_L100 --name fmnist --dataset $DATA/fmnist &
//   node_modules/.bin/bun bench/serve-screenshot.ts --url http://127.0.0.1:8080 --out page.png [--index fmnist] [--word king]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: "http://127.0.0.1:8080" },
    out: { type: "string", default: "page.png" },
    index: { type: "string" },
    word: { type: "string" },
  },
});
const profile = mkdtempSync(join(tmpdir(), "ringann-chromium-"));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
try {
  const page = await browser.newPage();
  await page.setViewportSize({ width: 1100, height: 760 });
  await page.goto(`${values.url}/`);
  await page.waitForSelector("#index option", { state: "attached" });
  if (values.index) await page.selectOption("#index", values.index);
  if (values.word) {
    await page.fill("#word", values.word);
    await page.click("#wordgo");
  } else {
    await page.click("#random");
  }
  await page.waitForSelector("[data-testid=neighbour]");
  await page.screenshot({ path: values.out!, fullPage: true });
  console.log(`saved ${values.out}: ${(await page.textContent("#stats"))?.replace(/\s+/g, " ")}`);
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
