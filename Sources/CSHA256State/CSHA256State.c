// The low-level SHA256_* functions are deprecated in OpenSSL 3 for the EVP API, whose context is
// opaque: only SHA256_CTX is a plain struct whose bytes can be saved and restored.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include "CSHA256State.h"

size_t csha256_state_size(void) { return sizeof(SHA256_CTX); }

void csha256_init(void *state) { SHA256_Init((SHA256_CTX *)state); }

void csha256_update(void *state, const void *bytes, size_t count) { SHA256_Update((SHA256_CTX *)state, bytes, count); }

void csha256_final(void *state, unsigned char *digest) { SHA256_Final(digest, (SHA256_CTX *)state); }
