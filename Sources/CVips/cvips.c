#include "cvips.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

static pthread_once_t started = PTHREAD_ONCE_INIT;
static int start_result = -1;

void wharf_vips_prepare_environment(void) {
    // A progressive JPEG is decoded with its whole coefficient array in memory (2 bytes a sample,
    // whatever the shrink): libjpeg-turbo refuses one that needs more than JPEGMEM, so a worker
    // never holds more than this for one image. A value set by the operator stands.
    const char *given = getenv("JPEGMEM");
    if (given == NULL || *given == '\0') setenv("JPEGMEM", WHARF_JPEG_MEMORY, 1);
    // vips_init sets VIPSHOME to the install prefix it guesses when it is not set: guessed here
    // instead, so that starting libvips later sets nothing.
    vips_guess_prefix("wharf", "VIPSHOME");
}

static void start_once(void) {
    // Once the environment is prepared this only reads it.
    wharf_vips_prepare_environment();
    start_result = VIPS_INIT("wharf");
    if (start_result == 0) {
        vips_cache_set_max(0);
        vips_concurrency_set(1);
        // Uploads are untrusted input: only the loaders libvips vets for it read them (not
        // ImageMagick's, nor the other unfuzzed ones), as libvips advises, and poppler's for the
        // first page of a PDF, which Wharf promises.
        vips_block_untrusted_set(TRUE);
        vips_operation_block_set("VipsForeignLoadPdf", FALSE);
    }
}

int wharf_vips_start(void) {
    pthread_once(&started, start_once);
    return start_result;
}

int wharf_vips_probe(const char *path, int *width, int *height, int *pages, const char **loader) {
    // Sequential access: only the header is read here.
    VipsImage *image = vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL, NULL);
    if (image == NULL) return -1;
    *width = vips_image_get_width(image);
    *height = vips_image_get_page_height(image);
    int count = 1;
    if (vips_image_get_typeof(image, VIPS_META_N_PAGES) && vips_image_get_int(image, VIPS_META_N_PAGES, &count) != 0) count = 1;
    *pages = count < 1 ? 1 : count;
    const char *name = NULL;
    if (vips_image_get_typeof(image, VIPS_META_LOADER)) vips_image_get_string(image, VIPS_META_LOADER, &name);
    *loader = name ? g_intern_string(name) : "unknown";
    g_object_unref(image);
    return 0;
}

// Removes what describes the picture rather than draws it: EXIF (camera, place, time), XMP and
// IPTC. (webpsave's "strip" keeps EXIF in libvips 8.14.) The colour profile stays: it is drawing.
static void remove_metadata(VipsImage *image) {
    gchar **fields = vips_image_get_fields(image);
    for (int i = 0; fields[i] != NULL; i++) {
        const char *name = fields[i];
        if (g_str_has_prefix(name, "exif-") || strcmp(name, VIPS_META_XMP_NAME) == 0 || strcmp(name, VIPS_META_IPTC_NAME) == 0 ||
            strcmp(name, VIPS_META_ORIENTATION) == 0) {
            vips_image_remove(image, name);
        }
    }
    g_strfreev(fields);
}

// When the work of one thumbnail must stop (as sharp's `timeout` stops it): libvips calls the
// "eval" handlers of the image it computes between the regions it works on, and a killed image
// stops its computation with an error.
typedef struct {
    gint64 deadline;
    gboolean passed;
} Deadline;

static void stop_after_deadline(VipsImage *image, VipsProgress *progress, void *data) {
    (void)progress;
    Deadline *deadline = data;
    if (!deadline->passed && g_get_monotonic_time() > deadline->deadline) {
        deadline->passed = TRUE;
        vips_image_set_kill(image, TRUE);
    }
}

int wharf_vips_thumbnail_webp(const char *path, int size, const char *output, int timeout_ms, int *width, int *height, int *timed_out) {
    Deadline deadline = {g_get_monotonic_time() + (gint64)timeout_ms * 1000, FALSE};
    *timed_out = 0;
    VipsImage *thumbnail = NULL;
    if (vips_thumbnail(path, &thumbnail, size, "height", size, "size", VIPS_SIZE_DOWN, NULL) != 0) return -1;
    // A copy of its own, so that its metadata can change.
    VipsImage *bare = NULL;
    int result = vips_copy(thumbnail, &bare, NULL);
    g_object_unref(thumbnail);
    if (result != 0) return -1;
    remove_metadata(bare);
    // The loading and shrinking are lazy: they run while the thumbnail is saved, under the deadline.
    vips_image_set_progress(bare, TRUE);
    g_signal_connect(bare, "eval", G_CALLBACK(stop_after_deadline), &deadline);
    result = vips_webpsave(bare, output, "Q", 80, "strip", TRUE, NULL);
    *timed_out = deadline.passed;
    *width = vips_image_get_width(bare);
    *height = vips_image_get_height(bare);
    g_object_unref(bare);
    return result;
}

char *wharf_vips_take_error(void) {
    char *text = strdup(vips_error_buffer());
    vips_error_clear();
    return text;
}
