/*
 * Argument helpers shared by the native kernels' XS bindings (*_xs.c): the JavaScript side
 * (hosts/moddable/native-art.ts and friends) always passes every argument, so too few is a caller
 * bug, reported as a TypeError rather than read as undefined.
 */
#ifndef XS_ARGUMENTS_H
#define XS_ARGUMENTS_H

#include <stdint.h>

#include "xsmc.h"

/* Throws a TypeError unless the call has at least `count` arguments. */
static inline void need(xsMachine *the, int count) {
    if (xsmcArgc < count) xsTypeError("%d arguments expected", count);
}

/* Argument `argument` as an int32 (ToInteger). */
static inline int32_t integer(xsMachine *the, int argument) {
    return xsmcToInteger(xsArg(argument));
}

#endif
