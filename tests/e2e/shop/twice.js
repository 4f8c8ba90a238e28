// The second copy: the button's bundle imported from its stable URL, next to the one widget.js loads.
const { default: init } = await import("{{PAY}}/amazon-pay-button.js");
await init();
window.secondCopyStarted = true;
