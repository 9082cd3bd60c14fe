/*
 * The reference's reading of ShareableList images, one canonical line per
 * image, for comparison with cpython_decode.py's lines. Reads image paths,
 * one per line, on stdin. Each image is read into a heap block of exactly
 * its size (this program is built with ASan).
 *
 *   <layout> N=<n> <item>...     layout py38/py39, each item a token:
 *   - !wrap:<ERROR>              the header was refused
 * tokens: n (None), b0/b1, i<decimal>, f<16 hex digits of the bits>,
 * s<hex of the UTF-8>, y<hex of the bytes>, !<ERROR> for an unreadable item.
 * With "repr", a value's token is r<hex of pyshm_value_repr()> instead.
 *
 *   usage: ref_decode [auto|py38|py39] [repr] < paths
 */
#include "pyshm.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void hex(const char *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        printf("%02x", (unsigned char)p[i]);
}

static bool show_repr;

static void token(const pyshm_value *v) {
    uint64_t bits;
    if (show_repr) {
        size_t len = pyshm_value_repr(v, NULL, 0);
        char *r = malloc(len + 1);
        if (!r)
            abort();
        pyshm_value_repr(v, r, len + 1);
        printf(" r");
        hex(r, len);
        free(r);
        return;
    }
    switch (v->type) {
    case PYSHM_NONE:
        printf(" n");
        break;
    case PYSHM_BOOL:
        printf(" b%d", v->u.b ? 1 : 0);
        break;
    case PYSHM_INT:
        printf(" i%" PRId64, v->u.i);
        break;
    case PYSHM_FLOAT:
        memcpy(&bits, &v->u.f, sizeof bits);
        printf(" f%016" PRIx64, bits);
        break;
    case PYSHM_STR:
    case PYSHM_BYTES:
        printf(" %c", v->type == PYSHM_STR ? 's' : 'y');
        hex(v->u.s.ptr, v->u.s.len);
        break;
    }
}

static void decode(uint8_t *img, size_t size, pyshm_layout layout) {
    pyshm_list *l = NULL;
    int rc = pyshm_list_wrap(img, size, layout, &l, NULL, 0);
    if (rc != 0) {
        printf("- !wrap:%s\n", pyshm_err_name(rc));
        return;
    }
    int64_t n = pyshm_list_len(l);
    printf("%s N=%" PRId64, pyshm_list_layout(l) == PYSHM_LAYOUT_PY38 ? "py38" : "py39", n);
    for (int64_t i = 0; i < n; i++) {
        pyshm_value v;
        rc = pyshm_list_get(l, i, &v);
        if (rc == 0)
            token(&v);
        else
            printf(" !%s", pyshm_err_name(rc));
    }
    printf("\n");
    pyshm_list_free(l);
}

static uint8_t *slurp(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long len = ftell(f);
        if (len >= 0 && fseek(f, 0, SEEK_SET) == 0) {
            buf = malloc(len ? (size_t)len : 1);
            if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
                free(buf);
                buf = NULL;
            }
            *size = (size_t)len;
        }
    }
    fclose(f);
    return buf;
}

int main(int argc, char **argv) {
    pyshm_layout layout = PYSHM_LAYOUT_AUTO;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "py38") == 0)
            layout = PYSHM_LAYOUT_PY38;
        else if (strcmp(argv[i], "py39") == 0)
            layout = PYSHM_LAYOUT_PY39;
        else if (strcmp(argv[i], "repr") == 0)
            show_repr = true;
    }
    char path[4096];
    while (fgets(path, sizeof path, stdin)) {
        path[strcspn(path, "\n")] = 0;
        size_t size = 0;
        uint8_t *img = slurp(path, &size);
        if (!img) {
            perror(path);
            return 1;
        }
        decode(img, size, layout);
        free(img);
        fflush(stdout);
    }
    return 0;
}
