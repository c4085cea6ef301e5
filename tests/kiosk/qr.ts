// jsqr is CommonJS with an `export default` typing: NodeNext types the default import
// as the module object while tsx hands over the function. Accept both.
import jsqrModule from 'jsqr';
import { PNG } from 'pngjs';

type JsQr = typeof jsqrModule.default;
export const jsQR: JsQr = ((jsqrModule as unknown as { default?: JsQr }).default ?? jsqrModule) as JsQr;

/** The text of the first QR code found in a PNG, or null. */
export function readQrPng(png: Buffer): string | null {
  const img = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(img.data), img.width, img.height)?.data ?? null;
}
