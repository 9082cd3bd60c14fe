/* The ShareableList codec's private view of an image. */
#ifndef PYSHM_CODEC_H
#define PYSHM_CODEC_H

#include "internal.h"

#include <string.h>

/* A validated header, read once from the image. */
typedef struct pyshm__header {
    pyshm_layout layout;
    int64_t n;
    size_t data_start;    /* byte offset of the data area */
    size_t formats_start; /* byte offset of the N formats */
    size_t codes_start;   /* byte offset of the N codes */
    size_t end;           /* bytes the image occupies */
    size_t *offsets;      /* n + 1 slot offsets from data_start (heap) */
    int64_t n_read;       /* offsets[0..n_read] checked so far (for inspect) */
} pyshm__header;

struct pyshm_list {
    pyshm_shm *shm; /* NULL for a wrapped buffer */
    uint8_t *buf;
    size_t len;
    bool closed;
    pyshm__header h;
    char errmsg[256];
};

/*
 * Validates the header of buf[0..len) for layout (AUTO detects) and fills h,
 * allocating h->offsets. On failure returns ECORRUPT or ENOMEM, writes the
 * reason to msg, and leaves in h what was read (h->offsets may be NULL).
 */
int pyshm__header_parse(const uint8_t *buf, size_t len, pyshm_layout layout,
                        pyshm__header *h, char *msg, size_t cap);

/* What a format string describes. */
typedef enum {
    PYSHM__FMT_INVALID = 0,
    PYSHM__FMT_INT,   /* q */
    PYSHM__FMT_FLOAT, /* d */
    PYSHM__FMT_BOOL,  /* xxxxxxx?: bool in byte 7 */
    PYSHM__FMT_NONE,  /* xxxxxx?x: bool in byte 6, stored for None */
    PYSHM__FMT_BYTES  /* <n>s */
} pyshm__fmt_kind;

/* Parses an 8-byte NUL-padded format, given as the word holding its bytes;
 * *size receives the bytes it covers. */
pyshm__fmt_kind pyshm__fmt_parse(uint64_t fmt, size_t *size);

/* Writes a format for messages: printable ASCII as is, the rest escaped. */
void pyshm__fmt_show(uint64_t fmt, char out[40]);

/* Decodes item i of a validated image (0 <= i < n). copy, if not NULL,
 * receives str/bytes contents first (cap bytes). msg receives the reason of
 * an ECORRUPT/EUNICODE/ENOBUFS. */
int pyshm__item_decode(const uint8_t *buf, const pyshm__header *h, int64_t i,
                       pyshm_value *out, uint8_t *copy, size_t cap, char *msg, size_t msgcap);

/* A new list handle over buf[0..len) (shm may be NULL), header validated. */
int pyshm__list_open(pyshm_list **out, pyshm_shm *shm, void *buf, size_t len,
                     pyshm_layout layout, char *errmsg, size_t errmsg_cap);

/* Reads 8 shared bytes once. The empty asm makes the value opaque, so the
 * compiler cannot re-read the shared source instead of using the copy
 * (another process may be writing it); it costs no instruction. */
static inline uint64_t pyshm__load_u64(const void *p) {
    uint64_t v;
    memcpy(&v, p, sizeof v);
#if defined(__GNUC__)
    __asm__("" : "+r"(v));
#endif
    return v;
}

static inline uint8_t pyshm__load_u8(const void *p) {
    uint8_t v = *(const uint8_t *)p;
#if defined(__GNUC__)
    __asm__("" : "+r"(v));
#endif
    return v;
}

/* Copies n shared bytes into private memory; the compiler may not re-read
 * the source afterwards (another process may be writing it). */
static inline void pyshm__snapshot(void *dst, const void *src, size_t n) {
    memcpy(dst, src, n);
#if defined(__GNUC__)
    __asm__ __volatile__("" ::: "memory");
#endif
}

#endif
