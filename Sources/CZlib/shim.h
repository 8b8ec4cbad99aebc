#ifndef VIGIL_CZLIB_SHIM_H
#define VIGIL_CZLIB_SHIM_H
#include <zlib.h>

/* Swift cannot call zlib's function-like init macros: wrap them. */

/* Reads gzip streams (a 32 KiB window; gzip or zlib detected from the header). */
static inline int vigil_inflate_init(z_streamp s) { return inflateInit2(s, 15 + 32); }

/* Writes a gzip stream (a 32 KiB window, the gzip wrapper, default memory). */
static inline int vigil_deflate_init(z_streamp s, int level) {
  return deflateInit2(s, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
#endif
