/*
 * The PNG path's natives in the SDK's xst (scripts/build-xst.sh --art):
 *   pngNatives: the PNG kernels' XS binding (hosts/moddable/native/png_kernels_xs.c), the same host
 *               functions hosts/moddable/art-kernels.ts binds with native(...) in a Moddable app;
 *   inflateNatives: below.
 *
 * Puts the Moddable SDK's native zlib inflate (modules/data/zlib: inflate.c over miniz.c, compiled
 * unchanged from the SDK) into the SDK's xst, as the global `inflateNatives`, for the device-time
 * estimate of the PNG rows (bench/workloads/device-time.ts) and the PNG tests in the kernel xst.
 *
 * In an app, the SDK's inflate.js declares `class Inflate extends Native("xs_inflate_destructor")`
 * and calls native("xs_inflate"), native("xs_inflate_push") and native("xs_inflate_close") with
 * `this`; only xsc compiles Native()/native(), so here they are:
 *   inflateNatives.Native   the base class: `new` makes a host instance whose destructor is
 *                           xs_inflate_destructor (what Native("xs_inflate_destructor") makes);
 *   inflateNatives.init, .push, .close   the SDK's xs_inflate, xs_inflate_push, xs_inflate_close.
 * test/native/xst-inflate.ts builds the Inflate class over them (the shape of the SDK's inflate.js),
 * which hosts/moddable/native-inflate.ts then wraps as the Inflater port, as in the Moddable host.
 *
 * xst installs its globals in fxBuildAgent; this wraps one of its calls, modInstallTextEncoder
 * (-Wl,--wrap=modInstallTextEncoder), so nothing in the SDK is edited and art_kernels_xst.c (which
 * wraps modInstallBase64) is left alone.
 */
#include "xsmc.h"

extern void __real_modInstallTextEncoder(xsMachine *the);
void __wrap_modInstallTextEncoder(xsMachine *the);

extern void xs_png_unfilter(xsMachine *the);
extern void xs_png_crc32(xsMachine *the);
extern void xs_inflate_destructor(void *data);
extern void xs_inflate(xsMachine *the);
extern void xs_inflate_push(xsMachine *the);
extern void xs_inflate_close(xsMachine *the);

/* The base constructor: a host instance of new.target's prototype (its destructor comes from the prototype, below). */
static void xs_inflate_native(xsMachine *the) {
    xsmcVars(1);
    xsVar(0) = xsTarget;
    xsmcGet(xsResult, xsVar(0), xsID("prototype"));
    xsResult = xsmcNewHostInstance(xsResult);
}

static void define(xsMachine *the, const char *name, xsCallback callback, int length) {
    xsVar(1) = xsNewHostFunction(callback, length);
    xsmcDefine(xsVar(0), xsID(name), xsVar(1), xsDontEnum);
}

void __wrap_modInstallTextEncoder(xsMachine *the) {
    __real_modInstallTextEncoder(the);
    xsBeginHost(the);
    xsmcVars(3);
    xsVar(0) = xsNewObject();
    xsmcDefine(xsGlobal, xsID("pngNatives"), xsVar(0), xsDontEnum);
    define(the, "pngUnfilter", xs_png_unfilter, 4);
    define(the, "pngCrc32", xs_png_crc32, 4);
    xsVar(0) = xsNewObject();
    xsmcDefine(xsGlobal, xsID("inflateNatives"), xsVar(0), xsDontEnum);
    /* A host object as the base prototype carries the destructor into every instance (fxNewHostInstance). */
    xsVar(2) = xsNewHostObject(xs_inflate_destructor);
    xsVar(1) = xsNewHostConstructor(xs_inflate_native, 0, xsVar(2));
    xsmcDefine(xsVar(0), xsID("Native"), xsVar(1), xsDontEnum);
    define(the, "init", xs_inflate, 1);
    define(the, "push", xs_inflate_push, 3);
    define(the, "close", xs_inflate_close, 0);
    xsEndHost(the);
}
