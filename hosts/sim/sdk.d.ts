// The simulator's global screen (Commodetto PixelsOut) and trace, declared only so that `tsc -p
// tsconfig.json` checks this folder without the SDK; Moddable builds use the SDK's own typings.

declare const screen: import("./panel.js").ScreenOut;
declare function trace(...values: unknown[]): void;
