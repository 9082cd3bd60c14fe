/* A field-by-field explanation of a ShareableList image, for people. */
#include "codec.h"

#include <inttypes.h>
#include <stdlib.h>

typedef struct {
    void (*emit)(const char *line, void *arg);
    void *arg;
} sink;

static void say(sink *s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(PYSHM__PRINTF, 2, 3)))
#endif
    ;
static void say(sink *s, const char *fmt, ...) {
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    s->emit(line, s->arg);
}

static const char *layout_name(pyshm_layout l) { return l == PYSHM_LAYOUT_PY38 ? "py38" : "py39"; }

static const char *code_name(int8_t c) {
    switch (c) {
    case 0: return "int/float/bool";
    case 1: return "str";
    case 2: return "bytes";
    case 3: return "None";
    default: return "unknown";
    }
}

PYSHM_API int pyshm_inspect(const void *buf, size_t len, pyshm_layout layout,
                            void (*emit)(const char *line, void *arg), void *arg) {
    if (emit == NULL || (buf == NULL && len > 0)) return PYSHM_EINVAL;
    sink s = {emit, arg};
    pyshm__header h;
    char msg[256];
    const uint8_t *b = buf;
    say(&s, "mapping: %zu bytes", len);
    int rc = pyshm__header_parse(b, len, layout, &h, msg, sizeof msg);
    if (len >= 8) {
        say(&s, "layout: %s (%s)", layout_name(h.layout),
            layout == PYSHM_LAYOUT_AUTO ? "detected" : "as requested");
        say(&s, "@0 N = %" PRId64, h.n);
    }
    bool py39 = h.layout == PYSHM_LAYOUT_PY39;
    for (int64_t i = py39 ? 0 : 1; h.offsets && i <= h.n_read; i++) {
        size_t at = 8 * (size_t)(py39 ? i + 1 : i);
        if (py39)
            say(&s, "@%zu offsets[%" PRId64 "] = %zu", at, i, h.offsets[i]);
        else
            say(&s, "@%zu sizes[%" PRId64 "] = %zu", at, i - 1, h.offsets[i] - h.offsets[i - 1]);
    }
    if (rc) {
        say(&s, "INVALID %s", msg);
        free(h.offsets);
        return rc;
    }
    say(&s, "data area: @%zu, %zu bytes; formats @%zu; codes @%zu; image ends @%zu%s",
        h.data_start, h.offsets[h.n], h.formats_start, h.codes_start, h.end,
        h.end < len ? " (the rest of the mapping is unused)" : "");
    for (int64_t i = 0; i < h.n; i++) {
        char shown[40], repr[120];
        uint64_t fmt = pyshm__load_u64(b + h.formats_start + 8 * (size_t)i);
        int8_t code = (int8_t)pyshm__load_u8(b + h.codes_start + (size_t)i);
        pyshm__fmt_show(fmt, shown);
        pyshm_value v;
        rc = pyshm__item_decode(b, &h, i, &v, NULL, 0, msg, sizeof msg);
        if (rc == 0) {
            size_t n = pyshm_value_repr(&v, repr, sizeof repr);
            if (n >= sizeof repr) snprintf(repr + sizeof repr - 5, 5, "...");
        }
        say(&s, "item %" PRId64 ": slot @%zu, %zu bytes; format %s @%zu; code %d (%s) @%zu%s%s", i,
            h.data_start + h.offsets[i], h.offsets[i + 1] - h.offsets[i], shown,
            h.formats_start + 8 * (size_t)i, (int)code, code_name(code),
            h.codes_start + (size_t)i, rc ? "" : "; value ", rc ? "" : repr);
        if (rc) {
            say(&s, "INVALID %s", msg);
            free(h.offsets);
            return rc;
        }
    }
    say(&s, "valid");
    free(h.offsets);
    return 0;
}
