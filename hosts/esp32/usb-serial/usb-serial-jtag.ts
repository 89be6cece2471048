// The native class of the USB Serial/JTAG controller (usb_serial_xs.c), shaped as NativeUsbSerialClass
// for the Serial binding in usb-serial.ts. Only in ESP32-S3 builds (manifest.json): the classic ESP32
// has no such controller.

import type { NativeUsbSerial } from "./usb-serial.js";

export default class UsbSerialJtag extends Native("xs_usb_serial_destructor") implements NativeUsbSerial {
  /** Installs ESP-IDF's driver with rings of these sizes; throws "busy" while another object holds it. */
  constructor(receiveRingBytes: number, transmitRingBytes: number) {
    super();
    native("xs_usb_serial_constructor").call(this, receiveRingBytes, transmitRingBytes);
  }

  read(into: Uint8Array): number {
    return native("xs_usb_serial_read").call(this, into) as number;
  }

  write(from: Uint8Array): number {
    return native("xs_usb_serial_write").call(this, from) as number;
  }

  /** Uninstalls the driver; later reads and writes throw "closed". */
  close(): void {
    native("xs_usb_serial_close").call(this);
  }
}
