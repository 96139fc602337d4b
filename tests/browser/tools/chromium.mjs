// Extracts the Chromium build that @sparticuz/chromium carries into <directory> and prints, as JSON,
// the executable's path and the launch flags the package recommends.
//
//   node tests/browser/tools/chromium.mjs <directory>
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";

const target = process.argv[2];
if (!target) {
  console.error("usage: node chromium.mjs <directory to extract Chromium into>");
  process.exit(2);
}
mkdirSync(resolve(target), { recursive: true });
// The package extracts into the system's temporary directory and reuses any "chromium" it finds there,
// whichever version that is: the directory given takes its place.
process.env.TMPDIR = resolve(target);
const { default: chromium } = await import("@sparticuz/chromium");
const executablePath = await chromium.executablePath();
console.log(JSON.stringify({ executablePath, args: chromium.args }));
