/* Error codes: names, messages and the Python exception of each. */
#include "internal.h"

#include <string.h>

#ifdef _WIN32
#include <windows.h>
#endif

static _Thread_local int last_os_error;
static _Thread_local char os_text[200];

/* Only records the code: a forked child may call this, where formatting
 * (not async-signal-safe) must wait for pyshm_strerror(). */
int pyshm__os_error(int os_code) {
    last_os_error = os_code;
    return PYSHM_EOS;
}

PYSHM_API int pyshm_last_os_error(void) { return last_os_error; }

/* The last OS error as Python words it: "[Errno 24] Too many open files". */
static const char *os_error_text(void) {
    int e = last_os_error;
#ifdef _WIN32
    char sys[160];
    DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
                             (DWORD)e, 0, sys, sizeof sys, NULL);
    while (n > 0 && (sys[n - 1] == '\n' || sys[n - 1] == '\r' || sys[n - 1] == ' ')) n--;
    snprintf(os_text, sizeof os_text, "[WinError %d] %.*s", e, (int)n,
             n ? sys : "unknown error");
#else
    char sys[160] = "";
#if defined(__GLIBC__) && defined(_GNU_SOURCE) /* the GNU strerror_r returns the text */
    const char *t = strerror_r(e, sys, sizeof sys);
#else
    const char *t = strerror_r(e, sys, sizeof sys) == 0 ? sys : "Unknown error";
#endif
    snprintf(os_text, sizeof os_text, "[Errno %d] %s", e, t);
#endif
    return os_text;
}

PYSHM_API const char *pyshm_strerror(int err) {
    if ((err == PYSHM_EOS || err == PYSHM_ENOSPC) && last_os_error != 0)
        return os_error_text();
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
