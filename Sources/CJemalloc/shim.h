// Debian's libjemalloc-dev (jemalloc 5, no symbol prefix): linking it makes jemalloc the process's
// malloc. Only its control interface is declared here; <jemalloc/jemalloc.h> would declare malloc and
// free a second time beside the C library's headers.
#include <stddef.h>

int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen);
