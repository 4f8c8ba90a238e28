// The views whose bundle is also built once per language (amazon-pay-<view>.<lang>.js, with only that language's
// buyer texts), and the languages: the one list that scripts/build-language-bundles (which builds them),
// bench/budget.mjs (which holds them to the budget) and scripts/package.mjs (which ships them) read.
// Copies that cannot read it: static/widget-init.js (the browser's loader: an import would cost a request), the
// Cargo features texts-<lang> (bundles/<view>/Cargo.toml, the widget's and the contract's) and the contract's
// `Language::ALL`. tests/scripts/one-language-lists.test.mjs fails, naming the file, when any of them differs.
// Usage: node scripts/one-language.mjs views|languages   (prints the list, space-separated, for shell scripts)

/** The views built per language (each has a bundle crate, bundles/<view>/, with the features texts-<lang>). */
export const ONE_LANGUAGE_VIEWS = ["lander", "upsell", "cv1"];

/** The languages, as their codes (`Language::code`), in the contract's order. */
export const LANGUAGES = ["de", "en", "fr", "it", "es"];

if (import.meta.url === `file://${process.argv[1]}`) {
  const lists = { views: ONE_LANGUAGE_VIEWS, languages: LANGUAGES };
  const list = lists[process.argv[2]];
  if (!list) {
    console.error("usage: node scripts/one-language.mjs views|languages");
    process.exit(2);
  }
  console.log(list.join(" "));
}
