/**
 * `npm run screenshots`: starts the embedded system with its demo, opens the explorer in headless
 * Chromium and saves the README's screenshots to docs/screenshots/, each page in English and (as
 * `<name>-zh.png`) in Chinese, the language a browser that prefers zh-CN gets. Nothing in them is
 * staged: they are the real pages of a real run.
 */
import { readConfig } from "../server/config.js";
import { startSystem } from "../server/system.js";
import { createLogger } from "../server/common/logger.js";
import { launchChromium, screenshot } from "../test/helpers/browser.js";
import { tempDir } from "../test/helpers/system.js";

const OUT = "docs/screenshots";

const system = await startSystem({
  config: readConfig({ ...process.env, CHAIN_PORT: "0", API_PORT: "0", GATEWAY_PORT: "0", DATA_DIR: await tempDir("screenshots") }),
  logger: createLogger({ level: "warn", pretty: false }),
});
const browser = await launchChromium();
try {
  const demo = system.demo!;
  await new Promise((r) => setTimeout(r, 1500)); // let the indexer catch up with the demo's last block
  /** The page at `fragment` once `ready` is drawn, in English and, unless `bilingual` is false (a page that is both already), in Chinese. */
  const shoot = async (name: string, fragment: string, ready: string, size = { width: 1280, height: 900 }, fullPage = true, bilingual = true) => {
    for (const [locale, suffix] of bilingual
      ? [
          ["en-US", ""],
          ["zh-CN", "-zh"],
        ]
      : [["en-US", ""]]) {
      const page = await (await browser.newContext({ viewport: size, deviceScaleFactor: 1, locale })).newPage();
      await page.goto(`${system.apiUrl}/${fragment}`);
      await page.locator(ready).first().waitFor();
      await page.waitForTimeout(400);
      if (fullPage) console.log(await screenshot(page, OUT, name + suffix));
      else {
        await page.screenshot({ path: `${OUT}/${name}${suffix}.png` });
        console.log(`${OUT}/${name}${suffix}.png`);
      }
      await page.context().close();
    }
  };
  await shoot("home", "", "#latest table", { width: 1280, height: 640 }, false);
  await shoot("dataset-traffic", `#/dataset/${demo.traffic}`, "#lineage-list");
  await shoot("dataset-forecast", `#/dataset/${demo.forecast}`, "#lineage-list");
  await shoot("dataset-lapsed", `#/dataset/${demo.repackaged}`, "#lineage-list");
  await shoot("account-bureau", `#/account/${demo.actors.bureau.toLowerCase()}`, "#activity table", { width: 1280, height: 1100 }, false);
  const { dataset } = (await (await fetch(`${system.apiUrl}/v1/datasets/${demo.forecast}`)).json()) as { dataset: { contentHash: string } };
  const forecastHash = dataset.contentHash;
  await shoot("file-two-anchors", `#/file/${forecastHash}`, "#verdict table", { width: 1280, height: 520 }, false);
  await shoot("epoch", `#/epoch/${demo.actors.bureau.toLowerCase()}/${demo.delivered!.epoch}`, "#deliveries table", { width: 1280, height: 760 }, false);
  await shoot("phone-dataset", `#/dataset/${demo.forecast}`, "#grants table", { width: 390, height: 844 }, false, false);
  await shoot("grant-fees", `#/grant/${demo.grants.weather}`, "#fees table");
  await shoot("objection", `#/objection/${demo.objection}`, "#objection dl", { width: 1280, height: 700 }, false);
  const year = new Date(Date.now() + 8 * 3_600_000).getUTCFullYear();
  await shoot("disclosure", `v1/disclosures/${demo.actors.company.toLowerCase()}/${year}?format=html`, "table", { width: 1100, height: 1300 }, false, false);
} finally {
  await browser.close();
  await system.stop();
}
