/* The ShareableList model of model.h. */
#include "model.h"

#include "utf8_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t model_alloc(const pyshm_value *v, bool *exact) {
    *exact = true;
    if (v->type != PYSHM_STR && v->type != PYSHM_BYTES)
        return 8;
    size_t len = v->u.s.len;
    if (v->type == PYSHM_STR)
        len = fuzz_utf8_chars((const uint8_t *)v->u.s.ptr, v->u.s.len);
    size_t alloc = 8 * (len / 8 + 1);
    if (v->u.s.len > alloc)
        *exact = false;
    return alloc;
}

int model_code(pyshm_type type) {
    switch (type) {
    case PYSHM_STR:
        return 1;
    case PYSHM_BYTES:
        return 2;
    case PYSHM_NONE:
        return 3;
    default:
        return 0;
    }
}

/* Packs a value as struct.pack_into(format, ...) would into a slot whose
 * current contents stay wherever the format does not reach. */
static void pack(model_slot *s, const pyshm_value *v) {
    switch (v->type) {
    case PYSHM_NONE:
        memset(s->data, 0, 8);
        break;
    case PYSHM_INT:
        memcpy(s->data, &v->u.i, 8);
        break;
    case PYSHM_FLOAT:
        memcpy(s->data, &v->u.f, 8);
        break;
    case PYSHM_BOOL:
        memset(s->data, 0, 7);
        s->data[7] = v->u.b ? 1 : 0;
        break;
    case PYSHM_STR:
    case PYSHM_BYTES:
        /* "<alloc>s" pads with NULs to the whole slot. */
        memset(s->data, 0, s->alloc);
        if (v->u.s.len)
            memcpy(s->data, v->u.s.ptr, v->u.s.len);
        break;
    }
    s->type = v->type;
}

bool model_init(model *m, const pyshm_value *items, size_t n, pyshm_layout layout,
                const size_t *allocs) {
    m->layout = layout;
    m->n = n;
    m->slot = calloc(n ? n : 1, sizeof *m->slot);
    if (!m->slot)
        return false;
    for (size_t i = 0; i < n; i++) {
        m->slot[i].alloc = allocs[i];
        m->slot[i].data = calloc(allocs[i] ? allocs[i] : 1, 1);
        if (!m->slot[i].data)
            return false;
        pack(&m->slot[i], &items[i]);
    }
    return true;
}

void model_free(model *m) {
    for (size_t i = 0; m->slot && i < m->n; i++)
        free(m->slot[i].data);
    free(m->slot);
    m->slot = NULL;
}

bool model_index(const model *m, int64_t index, size_t *pos) {
    int64_t n = (int64_t)m->n;
    if (index < 0)
        index += n;
    if (index < 0 || index >= n)
        return false;
    *pos = (size_t)index;
    return true;
}

int model_set(model *m, int64_t index, const pyshm_value *v) {
    size_t pos;
    if (!model_index(m, index, &pos))
        return PYSHM_EINDEX;
    model_slot *s = &m->slot[pos];
    if (v->type == PYSHM_STR && !fuzz_utf8_valid((const uint8_t *)v->u.s.ptr, v->u.s.len))
        return PYSHM_EENCODE;
    if ((v->type == PYSHM_STR || v->type == PYSHM_BYTES) && v->u.s.len > s->alloc)
        return PYSHM_ESTORAGE;
    pack(s, v);
    return 0;
}

int model_get(const model *m, int64_t index, pyshm_value *out) {
    size_t pos;
    if (!model_index(m, index, &pos))
        return PYSHM_EINDEX;
    const model_slot *s = &m->slot[pos];
    switch (s->type) {
    case PYSHM_NONE:
        *out = pyshm_none();
        break;
    case PYSHM_INT: {
        int64_t i;
        memcpy(&i, s->data, 8);
        *out = pyshm_int(i);
        break;
    }
    case PYSHM_FLOAT: {
        double f;
        memcpy(&f, s->data, 8);
        *out = pyshm_float(f);
        break;
    }
    case PYSHM_BOOL:
        *out = pyshm_bool(s->data[7] != 0);
        break;
    case PYSHM_STR:
    case PYSHM_BYTES: {
        size_t len = s->alloc;
        while (len > 0 && s->data[len - 1] == 0)
            len--;
        out->type = s->type;
        out->u.s.ptr = (const char *)s->data;
        out->u.s.len = len;
        break;
    }
    }
    return 0;
}

void model_format(const model *m, size_t pos, char out[9]) {
    static const char *const fixed[] = {
        [PYSHM_NONE] = "xxxxxx?x", [PYSHM_INT] = "q", [PYSHM_FLOAT] = "d", [PYSHM_BOOL] = "xxxxxxx?",
    };
    const model_slot *s = &m->slot[pos];
    if (s->type == PYSHM_STR || s->type == PYSHM_BYTES)
        snprintf(out, 9, "%zus", s->alloc);
    else
        snprintf(out, 9, "%s", fixed[s->type]);
}

static size_t header_words(const model *m) {
    return m->layout == PYSHM_LAYOUT_PY38 ? 1 + m->n : 2 + m->n;
}

size_t model_image_size(const model *m) {
    size_t size = 8 * header_words(m) + 9 * m->n;
    for (size_t i = 0; i < m->n; i++)
        size += m->slot[i].alloc;
    return size;
}

static void put64(uint8_t *p, int64_t v) { memcpy(p, &v, 8); }

void model_image(const model *m, uint8_t *out) {
    uint8_t *p = out;
    put64(p, (int64_t)m->n);
    p += 8;
    int64_t offset = 0;
    if (m->layout != PYSHM_LAYOUT_PY38) {
        put64(p, 0);
        p += 8;
    }
    for (size_t i = 0; i < m->n; i++) {
        offset += (int64_t)m->slot[i].alloc;
        put64(p, m->layout == PYSHM_LAYOUT_PY38 ? (int64_t)m->slot[i].alloc : offset);
        p += 8;
    }
    for (size_t i = 0; i < m->n; i++) {
        memcpy(p, m->slot[i].data, m->slot[i].alloc);
        p += m->slot[i].alloc;
    }
    for (size_t i = 0; i < m->n; i++) {
        char fmt[9];
        model_format(m, i, fmt);
        memset(p, 0, 8);
        memcpy(p, fmt, strlen(fmt));
        p += 8;
    }
    for (size_t i = 0; i < m->n; i++)
        *p++ = (uint8_t)model_code(m->slot[i].type);
}
