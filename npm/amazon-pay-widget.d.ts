// The all-views bundle (amazon-pay-widget.js). Each per-page bundle (amazon-pay-<view>.d.ts, written by
// scripts/package.mjs from this file) is the same with `mount` taking its view's configuration only.
import type { Init, InitSync, MountConfig, WidgetHandle } from "./types.js";
export * from "./types.js";

/** Mounts the widget into `element` (a configuration object, or its JSON; left out: the button with an empty
 * cart). Throws an `Error` saying why when the configuration is invalid. Call after `init()`. */
export declare function mount(element: HTMLElement, config?: MountConfig | string | null): WidgetHandle;

/** Mounts every `[data-amazon-pay-widget]` element again (`init()` already did once). */
export declare function start(): void;

/** Instantiates the WebAssembly module; await it before `mount`. */
declare const init: Init;
export default init;

/** Instantiates the WebAssembly module synchronously from its bytes or a compiled module. */
export declare const initSync: InitSync;
