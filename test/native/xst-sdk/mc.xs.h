/*
 * Stands in for the header that mcconfig generates for a Moddable app (its xsID_ constants), so that the
 * SDK's own modules/data/zlib/inflate.c compiles unchanged into the kernel xst (scripts/build-xst.sh
 * --art; test/native/png_xst.c). In an app the IDs are numbers fixed at build time; here each is
 * looked up by name when used (a hash look-up per use: a few instructions per inflate push).
 * Only the names inflate.c uses.
 */
#ifndef MC_XS_H_XST_SHIM
#define MC_XS_H_XST_SHIM
#define xsID_windowBits (xsID("windowBits"))
#define xsID_subarray (xsID("subarray"))
#define xsID_onData (xsID("onData"))
#define xsID_onEnd (xsID("onEnd"))
#endif
