/*
 * Puts the artwork kernels' XS binding (hosts/moddable/native/art_kernels_xs.c) into the SDK's xst,
 * which has no native() (only xsc compiles it): globals `artNatives`, `bmpNatives` and `jsonNatives`
 * holding the same host functions that hosts/moddable/art-kernels.ts and json-kernels.ts bind with
 * native(...) in a Moddable app (and the BMP and JSON kernels' bindings, bmp_kernels_xs.c and
 * json_kernels_xs.c).
 *
 * xst installs its globals in fxBuildAgent, which ends by calling modInstallBase64; the link wraps that
 * call (-Wl,--wrap=modInstallBase64), so nothing in the SDK is edited. Used by scripts/build-xst.sh
 * for the device-time estimate (release) and for the equivalence test (ASan + UBSan).
 */
#include "xsmc.h"

extern void __real_modInstallBase64(xsMachine *the);
void __wrap_modInstallBase64(xsMachine *the);

extern void xs_art_lzw_create(xsMachine *the);
extern void xs_art_lzw_begin(xsMachine *the);
extern void xs_art_lzw_set_input(xsMachine *the);
extern void xs_art_lzw_read(xsMachine *the);
extern void xs_art_lzw_fault(xsMachine *the);
extern void xs_art_lzw_status(xsMachine *the);
extern void xs_art_palette(xsMachine *the);
extern void xs_art_expand(xsMachine *the);
extern void xs_art_composite_row(xsMachine *the);
extern void xs_art_render(xsMachine *the);
extern void xs_json_string_create(xsMachine *the);
extern void xs_json_string_begin(xsMachine *the);
extern void xs_json_string_scan(xsMachine *the);
extern void xs_json_string_status(xsMachine *the);
extern void xs_json_string_fault(xsMachine *the);
extern void xs_json_find_name(xsMachine *the);
extern void xs_json_scanner_create(xsMachine *the);
extern void xs_json_scanner_read(xsMachine *the);
extern void xs_json_scanner_end(xsMachine *the);
extern void xs_json_scanner_text(xsMachine *the);
extern void xs_json_scanner_number(xsMachine *the);
extern void xs_json_scanner_get(xsMachine *the);
extern void xs_json_scanner_set(xsMachine *the);
extern void xs_webp_argb_row(xsMachine *the);
extern void xs_webp_palette_row(xsMachine *the);
extern void xs_webp_yuv_row_pair(xsMachine *the);
extern void xs_webp_filter_row(xsMachine *the);
extern void xs_webp_reconstruct(xsMachine *the);
extern void xs_webp_modes(xsMachine *the);
extern void xs_webp_residuals(xsMachine *the);
extern void xs_webp_lossless_pixels(xsMachine *the);
extern void xs_webp_lossless_transform(xsMachine *the);
extern void xs_bmp_byte_row(xsMachine *the);
extern void xs_bmp_field_row(xsMachine *the);
extern void xs_bmp_indexed_row(xsMachine *the);

typedef struct {
    const char *name;
    xsCallback callback;
    int length;
} native_t;

static const native_t natives[] = {
    {"lzwCreate", xs_art_lzw_create, 0},
    {"lzwBegin", xs_art_lzw_begin, 2},
    {"lzwSetInput", xs_art_lzw_set_input, 3},
    {"lzwRead", xs_art_lzw_read, 5},
    {"lzwFault", xs_art_lzw_fault, 1},
    {"lzwStatus", xs_art_lzw_status, 1},
    {"palette", xs_art_palette, 3},
    {"expand", xs_art_expand, 4},
    {"compositeRow", xs_art_composite_row, 10},
    {"render", xs_art_render, 15},
    {"webpArgbRow", xs_webp_argb_row, 4},
    {"webpPaletteRow", xs_webp_palette_row, 5},
    {"webpYuvRowPair", xs_webp_yuv_row_pair, 14},
    {"webpFilterRow", xs_webp_filter_row, 11},
    {"webpReconstruct", xs_webp_reconstruct, 13},
    {"webpModes", xs_webp_modes, 9},
    {"webpResiduals", xs_webp_residuals, 11},
    {"webpLosslessPixels", xs_webp_lossless_pixels, 13},
    {"webpLosslessTransform", xs_webp_lossless_transform, 7},
};

static const native_t bmp_natives[] = {
    {"bmpByteRow", xs_bmp_byte_row, 5},
    {"bmpFieldRow", xs_bmp_field_row, 5},
    {"bmpIndexedRow", xs_bmp_indexed_row, 7},
};

static const native_t json_natives[] = {
    {"stringCreate", xs_json_string_create, 0},
    {"stringBegin", xs_json_string_begin, 4},
    {"stringScan", xs_json_string_scan, 5},
    {"stringStatus", xs_json_string_status, 1},
    {"stringFault", xs_json_string_fault, 1},
    {"findName", xs_json_find_name, 3},
    {"scannerCreate", xs_json_scanner_create, 5},
    {"scannerRead", xs_json_scanner_read, 7},
    {"scannerEnd", xs_json_scanner_end, 2},
    {"scannerText", xs_json_scanner_text, 1},
    {"scannerNumber", xs_json_scanner_number, 1},
    {"scannerGet", xs_json_scanner_get, 2},
    {"scannerSet", xs_json_scanner_set, 4},
};

static void install(xsMachine *the, const char *global, const native_t *list, unsigned count) {
    xsVar(0) = xsNewObject();
    xsmcDefine(xsGlobal, xsID(global), xsVar(0), xsDontEnum);
    for (unsigned i = 0; i < count; i++) {
        xsVar(1) = xsNewHostFunction(list[i].callback, list[i].length);
        xsmcDefine(xsVar(0), xsID(list[i].name), xsVar(1), xsDontEnum);
    }
}

void __wrap_modInstallBase64(xsMachine *the) {
    __real_modInstallBase64(the);
    xsBeginHost(the);
    xsmcVars(2);
    install(the, "artNatives", natives, sizeof natives / sizeof natives[0]);
    install(the, "bmpNatives", bmp_natives, sizeof bmp_natives / sizeof bmp_natives[0]);
    install(the, "jsonNatives", json_natives, sizeof json_natives / sizeof json_natives[0]);
    xsEndHost(the);
}
