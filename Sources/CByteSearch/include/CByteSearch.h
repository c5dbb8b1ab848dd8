#ifndef C_BYTE_SEARCH_H
#define C_BYTE_SEARCH_H

#include <stddef.h>

/// glibc's memmem (a two-way search with a fast first-byte scan). Swift's Glibc module does not
/// declare it without _GNU_SOURCE; this wrapper exposes it under a prefixed name.
const void *cbytesearch_memmem(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length);

#endif
