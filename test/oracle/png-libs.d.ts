// Just enough typing for the PNG reference decoders that ship without types (oracle tests, benchmarks).

declare module "pngjs" {
  interface PngjsImage {
    width: number;
    height: number;
    data: Buffer;
    depth: number;
    colorType: number;
  }
  const pngjs: { PNG: { sync: { read(buffer: Buffer, options?: { skipRescale?: boolean }): PngjsImage } } };
  export default pngjs;
}

declare module "upng-js" {
  interface UpngFrame {
    rect: { x: number; y: number; width: number; height: number };
    delay: number;
    dispose: number;
    blend: number;
    data: Uint8Array | null;
  }
  interface UpngImage {
    width: number;
    height: number;
    depth: number;
    ctype: number;
    frames: UpngFrame[];
    tabs: Record<string, unknown>;
    data: Uint8Array;
  }
  const UPNG: {
    decode(buffer: ArrayBuffer | Uint8Array): UpngImage;
    toRGBA8: ((image: UpngImage) => ArrayBuffer[]) & { decodeImage(data: Uint8Array, width: number, height: number, image: UpngImage): Uint8Array };
    encode(frames: ArrayBuffer[], width: number, height: number, colours: number, delays?: number[]): ArrayBuffer;
  };
  export default UPNG;
}
