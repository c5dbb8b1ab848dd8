#ifndef C_SHA256_STATE_H
#define C_SHA256_STATE_H

#include <stddef.h>

/// SHA-256 whose running state is a block of plain bytes (OpenSSL's SHA256_CTX), so that it can be
/// kept on disk and taken up again: swift-crypto's SHA256 keeps its state out of reach. `state`
/// points to `csha256_state_size()` bytes.
size_t csha256_state_size(void);
void csha256_init(void *state);
void csha256_update(void *state, const void *bytes, size_t count);
/// Writes the 32-byte digest; the state is used up.
void csha256_final(void *state, unsigned char *digest);

#endif
