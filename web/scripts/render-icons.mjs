// Renders public/icons/icon.svg to the PNG sizes the manifest lists (run by hand after changing
// the SVG: `node scripts/render-icons.mjs`). Uses the same headless Chromium as the e2e test.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const icons = fileURLToPath(new URL("../public/icons/", import.meta.url));
const svg = await readFile(`${icons}icon.svg`, "utf8");
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu"],
});
for (const size of [192, 512]) {
  const page = await browser.newPage({ viewport: { width: size, height: size } });
  await page.setContent(`<html><body style="margin:0">${svg.replace("<svg ", `<svg width="${size}" height="${size}" `)}</body></html>`);
  await page.screenshot({ path: `${icons}icon-${size}.png`, omitBackground: true });
  await page.close();
}
await browser.close();
