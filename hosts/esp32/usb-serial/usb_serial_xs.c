/*
 * XS binding of the ESP32-S3's USB Serial/JTAG controller (class UsbSerialJtag in usb-serial.ts): the
 * serial line of boards whose USB port is the chip's own (Adafruit MatrixPortal S3), which the SDK's
 * embedded:io/serial (UARTs only) does not reach. ESP-IDF's usb_serial_jtag driver keeps a receive and a
 * transmit ring buffer; both calls here never wait (0 ticks), so JavaScript polls: read() takes what has
 * arrived, write() hands over what fits and says how much that was.
 *
 * The controller exists once per chip: a second open while one is installed is refused ("busy"). Chips
 * without one (the classic ESP32) build this file too, so that one app serves every board; there the
 * constructor throws.
 */
#include <stdbool.h> /* ESP-IDF v6.0's driver/usb_serial_jtag.h uses bool without including it */
#include <stddef.h>
#include <stdint.h>

#include "xsmc.h"
#ifndef USB_SERIAL_XS_HOST_CHECK
#include "mc.xs.h" /* Moddable build (this file uses no xsID_ identifiers; the build-machine check omits it) */
#endif

#include "soc/soc_caps.h"
#if SOC_USB_SERIAL_JTAG_SUPPORTED
#include "driver/usb_serial_jtag.h"
#endif

/* Ring buffer sizes (bytes): the provisioning protocol's largest frame is ~4 KiB of PEM, sent in
 * pieces the host writes as room allows, so small rings do. */
#define MIN_RING 64
#define MAX_RING 4096

/* One controller per chip, so one flag (never read from JavaScript). */
static uint8_t driver_installed;

/* Host data is a non-null marker while this object owns the driver. */
#define OWNS_DRIVER ((void *)1)

static void release_driver(void) {
#if SOC_USB_SERIAL_JTAG_SUPPORTED
    if (driver_installed) usb_serial_jtag_driver_uninstall();
#endif
    driver_installed = 0;
}

void xs_usb_serial_destructor(void *data) {
    if (data) release_driver();
}

/* new UsbSerialJtag(receiveBytes, transmitBytes) */
void xs_usb_serial_constructor(xsMachine *the) {
    if (xsmcArgc < 2) xsTypeError("receive and transmit ring sizes are required");
    int32_t receive = xsmcToInteger(xsArg(0));
    int32_t transmit = xsmcToInteger(xsArg(1));
    if (receive < MIN_RING || receive > MAX_RING || transmit < MIN_RING || transmit > MAX_RING) {
        xsRangeError("ring sizes must be %d to %d bytes", MIN_RING, MAX_RING);
    }
    if (driver_installed) xsUnknownError("busy");
#if SOC_USB_SERIAL_JTAG_SUPPORTED
    usb_serial_jtag_driver_config_t config = USB_SERIAL_JTAG_DRIVER_CONFIG_DEFAULT();
    config.rx_buffer_size = (uint32_t)receive;
    config.tx_buffer_size = (uint32_t)transmit;
    esp_err_t error = usb_serial_jtag_driver_install(&config);
    if (error != ESP_OK) xsUnknownError("driver install failed (%d)", (int)error);
    driver_installed = 1;
    xsmcSetHostData(xsThis, OWNS_DRIVER);
#else
    xsUnknownError("this chip has no USB Serial/JTAG controller");
#endif
}

static void require_open(xsMachine *the) {
    if (xsmcGetHostDataValidate(xsThis, (void *)xs_usb_serial_destructor) != OWNS_DRIVER) xsUnknownError("closed");
}

/* read(into: ArrayBuffer | view) → bytes copied into it (0: nothing has arrived). */
void xs_usb_serial_read(xsMachine *the) {
    require_open(the);
    void *data;
    xsUnsignedValue length;
    xsmcGetBufferWritable(xsArg(0), &data, &length);
#if SOC_USB_SERIAL_JTAG_SUPPORTED
    int count = length > 0 ? usb_serial_jtag_read_bytes(data, (uint32_t)length, 0) : 0;
#else
    int count = 0;
#endif
    xsmcSetInteger(xsResult, count > 0 ? count : 0);
}

/* write(from: ArrayBuffer | view) → bytes the transmit ring took (0: it is full). */
void xs_usb_serial_write(xsMachine *the) {
    require_open(the);
    void *data;
    xsUnsignedValue length;
    xsmcGetBufferReadable(xsArg(0), &data, &length);
#if SOC_USB_SERIAL_JTAG_SUPPORTED
    int count = length > 0 ? usb_serial_jtag_write_bytes(data, (size_t)length, 0) : 0;
#else
    int count = 0;
#endif
    xsmcSetInteger(xsResult, count > 0 ? count : 0);
}

void xs_usb_serial_close(xsMachine *the) {
    void *data = xsmcGetHostData(xsThis);
    if (data) {
        release_driver();
        xsmcSetHostData(xsThis, NULL);
    }
}
