// The two XS built-ins that bind a class to native code, as declared by the Moddable SDK's xs.d.ts.
// Declared here only so that hosts/esp32 type-checks on the build machine without the SDK; the
// Moddable build takes them from the SDK (this file is not part of the manifest).

/** A class whose instances carry host data released by the named C destructor. */
declare function Native(destructor: string): new () => object;
/** The C host function with that name, to be called with `.call(this, ...)`. */
declare function native(name: string): (this: object, ...args: unknown[]) => unknown;
