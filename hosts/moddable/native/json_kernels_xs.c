/*
 * XS binding of the JSON string scanner (json_kernels.c): plain host functions, bound by
 * hosts/moddable/json-kernels.ts with native("xs_json_...") and wrapped by hosts/moddable/native-json.ts,
 * which turns the negative results into the JsonError the TypeScript StringReader throws.
 *
 * The scanner's state is a host object holding one calloc'd json_string_t (64 bytes), freed by its
 * destructor. Buffers are looked up on every call and never kept (XS may move them); the UTF-16 units
 * go as their ArrayBuffer (xsmcGetBuffer takes byte views only; the JsonText's array is whole).
 */
#include <stdint.h>
#include <stdlib.h>

#include "xsmc.h"
#include "xs_arguments.h"

#include "json_kernels.h"

void xs_json_string_destructor(void *data) {
    free(data);
}

static json_string_t *string_of(xsMachine *the) {
    json_string_t *s = xsmcGetHostDataValidate(xsArg(0), (void *)xs_json_string_destructor);
    if (s == NULL) xsUnknownError("JSON string state freed");
    return s;
}

static void check(xsMachine *the, int32_t result) {
    if (result == JSON_FAULT_RANGE) xsRangeError("JSON kernel argument out of range");
}

/* stringCreate(): a host object owning one string state. */
void xs_json_string_create(xsMachine *the) {
    json_string_t *s = calloc(1, sizeof(json_string_t));
    if (s == NULL) xsUnknownError("no memory for the JSON string state");
    s->state = 5; /* complete: nothing begun */
    xsResult = xsNewHostObject(xs_json_string_destructor);
    xsmcSetHostData(xsResult, s);
}

/* stringBegin(state, limit, reject, capacity) */
void xs_json_string_begin(xsMachine *the) {
    need(the, 4);
    json_string_t *s = string_of(the);
    int32_t capacity = xsmcToInteger(xsArg(3));
    if (capacity < 0) xsRangeError("bad capacity");
    check(the, json_string_begin(s, xsmcToInteger(xsArg(1)), xsmcToBoolean(xsArg(2)), (uint32_t)capacity));
}

/* stringScan(state, chunk, i, end, units): where it stopped, or a negative JSON_STRING_* code. */
void xs_json_string_scan(xsMachine *the) {
    need(the, 5);
    json_string_t *s = string_of(the);
    int32_t i = xsmcToInteger(xsArg(2)), end = xsmcToInteger(xsArg(3));
    void *chunk, *units;
    xsUnsignedValue chunk_length, units_length;
    xsmcGetBufferReadable(xsArg(1), &chunk, &chunk_length);
    xsmcGetBufferWritable(xsArg(4), &units, &units_length);
    if (i < 0 || end < i) xsRangeError("bad JSON chunk range");
    int32_t result = json_string_scan(s, chunk, (uint32_t)chunk_length, (uint32_t)i, (uint32_t)end, units, (uint32_t)(units_length / 2));
    check(the, result);
    xsmcSetInteger(xsResult, result);
}

/* stringStatus(state): units held * 4 + 2 if truncated + 1 once the closing quote was read. */
void xs_json_string_status(xsMachine *the) {
    need(the, 1);
    json_string_t *s = string_of(the);
    xsmcSetInteger(xsResult, s->length * 4 + (s->truncated ? 2 : 0) + (json_string_complete(s) ? 1 : 0));
}

/* stringFault(state): after a negative scan, the chunk index * 256 + the byte it is about. */
void xs_json_string_fault(xsMachine *the) {
    need(the, 1);
    json_string_t *s = string_of(the);
    xsmcSetNumber(xsResult, (double)s->fault_at * 256.0 + (double)s->fault_byte);
}

/* findName(units, length, table): the index of the name the units hold in the packed table, or -1. */
void xs_json_find_name(xsMachine *the) {
    need(the, 3);
    void *units, *table;
    xsUnsignedValue units_length, table_length;
    int32_t length = xsmcToInteger(xsArg(1));
    xsmcGetBufferReadable(xsArg(0), &units, &units_length);
    xsmcGetBufferReadable(xsArg(2), &table, &table_length);
    if (length < 0) xsRangeError("bad name length");
    int32_t result = json_find_name(units, (uint32_t)(units_length / 2), (uint32_t)length, table, (uint32_t)table_length);
    check(the, result);
    xsmcSetInteger(xsResult, result);
}

/* ---- the tokenizer's loop (json_scanner.c) ---- */

/* Its own destructor, so that a string state can never pass for a scanner state (the validation key). */
void xs_json_scanner_destructor(void *data) {
    free(data);
}

static json_scanner_t *scanner_of(xsMachine *the) {
    json_scanner_t *s = xsmcGetHostDataValidate(xsArg(0), (void *)xs_json_scanner_destructor);
    if (s == NULL) xsUnknownError("JSON scanner state freed");
    return s;
}

/* scannerCreate(maxDepth, maxKeyUnits, capacity, defaultLimit, defaultReject): a host object owning one scanner state. */
void xs_json_scanner_create(xsMachine *the) {
    need(the, 5);
    int32_t capacity = xsmcToInteger(xsArg(2));
    if (capacity < 0) xsRangeError("bad capacity");
    json_scanner_t *s = calloc(1, sizeof(json_scanner_t));
    if (s == NULL) xsUnknownError("no memory for the JSON scanner state");
    if (json_scanner_init(s, xsmcToInteger(xsArg(0)), xsmcToInteger(xsArg(1)), (uint32_t)capacity, xsmcToInteger(xsArg(3)), xsmcToBoolean(xsArg(4))) < 0) {
        free(s);
        xsRangeError("JSON scanner limits out of range");
    }
    xsResult = xsNewHostObject(xs_json_scanner_destructor);
    xsmcSetHostData(xsResult, s);
}

/*
 * scannerRead(state, chunk, i, end, units, filter, base): (where it stopped << 4) | event, or a negative
 * code (json_kernels.h). filter: the packed name table, or undefined when no filter is set.
 */
void xs_json_scanner_read(xsMachine *the) {
    need(the, 7);
    json_scanner_t *s = scanner_of(the);
    int32_t i = xsmcToInteger(xsArg(2)), end = xsmcToInteger(xsArg(3));
    void *chunk, *units, *filter = NULL;
    xsUnsignedValue chunk_length, units_length, filter_length = 0;
    double base = xsmcToNumber(xsArg(6));
    xsmcGetBufferReadable(xsArg(1), &chunk, &chunk_length);
    xsmcGetBufferWritable(xsArg(4), &units, &units_length);
    if (xsmcTypeOf(xsArg(5)) != xsUndefinedType) xsmcGetBufferReadable(xsArg(5), &filter, &filter_length);
    if (i < 0 || end < i || !(base >= 0 && base <= 9007199254740991.0)) xsRangeError("bad JSON chunk range");
    int32_t result = json_scan(s, chunk, (uint32_t)chunk_length, (uint32_t)i, (uint32_t)end, units, (uint32_t)(units_length / 2), filter, (uint32_t)filter_length, base);
    check(the, result);
    xsmcSetInteger(xsResult, result);
}

/* scannerEnd(state, base): JSON_EVENT_NUMBER for a number the end completes, then JSON_EVENT_NONE; or a negative code. */
void xs_json_scanner_end(xsMachine *the) {
    need(the, 2);
    json_scanner_t *s = scanner_of(the);
    double base = xsmcToNumber(xsArg(1));
    if (!(base >= 0 && base <= 9007199254740991.0)) xsRangeError("bad JSON stream offset");
    xsmcSetInteger(xsResult, json_scanner_end(s, base));
}

/* scannerText(state): after a key or string event, its units held * 2 + 1 if truncated. */
void xs_json_scanner_text(xsMachine *the) {
    need(the, 1);
    json_scanner_t *s = scanner_of(the);
    xsmcSetInteger(xsResult, s->string.length * 2 + (s->string.truncated ? 1 : 0));
}

/*
 * scannerNumber(state): the last number's value. A number beyond the exact fast path (more than 15
 * digits, a power of ten beyond 1e22) is its text converted by the engine, as Number() converts it in
 * the TypeScript twin.
 */
void xs_json_scanner_number(xsMachine *the) {
    need(the, 1);
    json_scanner_t *s = scanner_of(the);
    if (!s->number_text) {
        xsmcSetNumber(xsResult, s->number);
        return;
    }
    char text[JSON_NUMBER_MAX_LENGTH + 1];
    for (int32_t i = 0; i < s->length; i++) text[i] = (char)s->bytes[i];
    text[s->length] = 0;
    xsmcSetString(xsResult, text);
    xsmcSetNumber(xsResult, xsmcToNumber(xsResult));
}

/* scannerGet(state, what): 0 the position, 1 the depth, 2 the fault's chunk index, 3 its detail. */
void xs_json_scanner_get(xsMachine *the) {
    need(the, 2);
    json_scanner_t *s = scanner_of(the);
    switch (xsmcToInteger(xsArg(1))) {
    case 0: xsmcSetNumber(xsResult, s->position); break;
    case 1: xsmcSetInteger(xsResult, s->depth); break;
    case 2: xsmcSetInteger(xsResult, s->fault_at); break;
    case 3: xsmcSetInteger(xsResult, s->fault_detail); break;
    default: xsRangeError("bad JSON scanner query");
    }
}

/* scannerSet(state, what, units, reject): 0 the next value's limit, 1 the default limit, 2 filter the innermost object's keys, 3 reset. */
void xs_json_scanner_set(xsMachine *the) {
    need(the, 4);
    json_scanner_t *s = scanner_of(the);
    switch (xsmcToInteger(xsArg(1))) {
    case 0:
    case 1:
        check(the, json_scanner_limit(s, xsmcToInteger(xsArg(2)), xsmcToBoolean(xsArg(3)), xsmcToInteger(xsArg(1))));
        break;
    case 2: json_scanner_filter(s); break;
    case 3: json_scanner_reset(s); break;
    default: xsRangeError("bad JSON scanner setting");
    }
}
