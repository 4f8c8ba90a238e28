// Loads the widget; every [data-amazon-pay-widget] element on the page is mounted with its JSON config.
// An external file (not an inline script) so pages work under a strict Content-Security-Policy.
import init from "/amazon-pay-widget.js";
init();
