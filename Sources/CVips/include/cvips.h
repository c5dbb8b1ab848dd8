#ifndef WHARF_CVIPS_H
#define WHARF_CVIPS_H

// The few libvips calls Wharf needs, as plain functions: libvips' own API is variadic, which
// Swift cannot call.

// The most memory libjpeg may take to decode one progressive JPEG (JPEGMEM's syntax: megabytes).
#define WHARF_JPEG_MEMORY "128M"

// Sets the environment libvips and libjpeg read (JPEGMEM to WHARF_JPEG_MEMORY unless the operator
// set it, VIPSHOME), when they are not set. To be called before the program starts a thread:
// setenv while other threads read the environment can pull it from under them. Not a constructor:
// in an executable linked with the Swift runtime in it (--static-swift-stdlib) a constructor of its
// own runs before the runtime's, which finds the command line by walking back from `environ`
// to the stack, and a variable added here moves `environ` off the stack: the program would see
// no arguments at all. Idempotent: a second call only reads.
void wharf_vips_prepare_environment(void);

// Starts libvips once per process (thread-safe); 0 on success. Its operation cache is turned off
// (each image is read once), each operation uses one thread (jobs run in parallel instead), a
// progressive JPEG may take at most WHARF_JPEG_MEMORY to decode, and the loaders libvips marks
// untrusted are blocked but for PDF's.
int wharf_vips_start(void);

// Reads only the header of the image at `path`: its size, its page count (frames of an
// animation, pages of a PDF) and the loader libvips picked. 0 on success, -1 when libvips
// cannot load it.
int wharf_vips_probe(const char *path, int *width, int *height, int *pages, const char **loader);

// Writes a WebP thumbnail of the first page of the image at `path` to `output`: at most `size`
// pixels on its long edge, never upscaled, shrunk while loading where the format allows, turned
// by its EXIF orientation, with every metadata stripped. Its size goes to `width` and `height`.
// The work stops once it has taken longer than `timeout_ms` milliseconds, and `timed_out` says
// so. 0 on success, -1 on failure.
int wharf_vips_thumbnail_webp(const char *path, int size, const char *output, int timeout_ms, int *width, int *height, int *timed_out);

// The errors libvips collected on this thread since the last call, then forgotten; the caller
// frees the string with free().
char *wharf_vips_take_error(void);

#endif
