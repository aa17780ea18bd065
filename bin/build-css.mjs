// Builds static/build/bootstrap-italia.css: Bootstrap Italia with only the rules
// whose selectors the portal uses (templates, Python form widgets, our JS).
// Run by `make install` after `npm ci`; the output is not committed.
import { PurgeCSS } from "purgecss";
import { mkdirSync, writeFileSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(root, "node_modules/bootstrap-italia/dist/css/bootstrap-italia.min.css");
const target = join(root, "static/build/bootstrap-italia.css");

const [result] = await new PurgeCSS().purge({
  css: [source],
  content: [
    join(root, "templates/**/*.html"),
    join(root, "*/templates/**/*.html"),
    join(root, "static/js/**/*.js"),
    join(root, "{alliance,members,events,initiatives,api}/**/*.py"),
  ],
  // Words in templates and Python are class names; keep dashes and the utility colons.
  defaultExtractor: (content) => content.match(/[\w-/:%.]+(?<!:)/g) || [],
  safelist: {
    standard: [/^is-/, /^was-/, "show", "active", "disabled", "focus--mouse", "visually-hidden-focusable"],
    greedy: [/^form-/, /^invalid-feedback/, /^alert/],
  },
  fontFace: false,
  keyframes: true,
  variables: false,
});
// Font URLs are relative to the vendor folder: point them there.
const css = result.css.replaceAll("../fonts/", "../vendor/bootstrap-italia/fonts/");
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, css);
const before = readFileSync(source).length;
console.log(`static/build/bootstrap-italia.css: ${css.length} bytes (from ${before})`);
