#ifndef C_MAGIC_SHIM_H
#define C_MAGIC_SHIM_H

// libmagic, the library behind file(1): content type detection from a file's first bytes.
#include <magic.h>

#endif
