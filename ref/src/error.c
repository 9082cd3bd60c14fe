/* Error codes: names, messages and the Python exception of each. */
#include "internal.h"

#include <string.h>

static _Thread_local int last_os_error;

int pyshm__os_error(int os_code) {
    last_os_error = os_code;
    return PYSHM_EOS;
}

PYSHM_API int pyshm_last_os_error(void) { return last_os_error; }

PYSHM_API const char *pyshm_strerror(int err) {
    switch (err) {
    case 0: return "success";
#define XX(code, value, pyexc, msg) case value: return msg;
        PYSHM_ERRNO_MAP(XX)
#undef XX
    default: return "unknown error";
    }
}

PYSHM_API const char *pyshm_err_name(int err) {
    switch (err) {
    case 0: return "OK";
#define XX(code, value, pyexc, msg) case value: return #code;
        PYSHM_ERRNO_MAP(XX)
#undef XX
    default: return "UNKNOWN";
    }
}

PYSHM_API const char *pyshm_err_pyexc(int err) {
    switch (err) {
    case 0: return "";
#define XX(code, value, pyexc, msg) case value: return pyexc;
        PYSHM_ERRNO_MAP(XX)
#undef XX
    default: return "OSError";
    }
}

void pyshm__msg(char *buf, size_t cap, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
}
