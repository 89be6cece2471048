/*
 * Puts the artwork kernels' XS binding (hosts/moddable/native/art_kernels_xs.c) into the SDK's xst,
 * which has no native() (only xsc compiles it): a global `artNatives` holding the same host functions
 * that hosts/moddable/art-kernels.ts binds with native(...) in a Moddable app.
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
extern void xs_webp_argb_row(xsMachine *the);
extern void xs_webp_palette_row(xsMachine *the);
extern void xs_webp_yuv_row(xsMachine *the);
extern void xs_webp_filter_row(xsMachine *the);
extern void xs_webp_reconstruct(xsMachine *the);

static const struct {
    const char *name;
    xsCallback callback;
    int length;
} natives[] = {
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
    {"webpYuvRow", xs_webp_yuv_row, 13},
    {"webpFilterRow", xs_webp_filter_row, 11},
    {"webpReconstruct", xs_webp_reconstruct, 13},
};

void __wrap_modInstallBase64(xsMachine *the) {
    __real_modInstallBase64(the);
    xsBeginHost(the);
    xsmcVars(2);
    xsVar(0) = xsNewObject();
    xsmcDefine(xsGlobal, xsID("artNatives"), xsVar(0), xsDontEnum);
    for (unsigned i = 0; i < sizeof natives / sizeof natives[0]; i++) {
        xsVar(1) = xsNewHostFunction(natives[i].callback, natives[i].length);
        xsmcDefine(xsVar(0), xsID(natives[i].name), xsVar(1), xsDontEnum);
    }
    xsEndHost(the);
}
