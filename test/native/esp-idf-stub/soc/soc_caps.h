/*
 * Build-machine stand-in for ESP-IDF's soc/soc_caps.h (v6.0: components/soc/<chip>/include), for the
 * compile checks of native bindings only:
 * the capability the USB serial binding tests. -DSTUB_CHIP_WITHOUT_USB_SERIAL_JTAG plays the classic
 * ESP32, which has no USB Serial/JTAG controller.
 */
#ifndef STUB_SOC_CAPS_H
#define STUB_SOC_CAPS_H
#ifndef STUB_CHIP_WITHOUT_USB_SERIAL_JTAG
#define SOC_USB_SERIAL_JTAG_SUPPORTED 1
#endif
#endif
