/* The little the tests need from the system, on POSIX and Windows. */
#ifndef XT_PLATFORM_H
#define XT_PLATFORM_H

#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
static inline unsigned long xt_pid(void) { return (unsigned long)GetCurrentProcessId(); }
static inline void xt_sleep_ms(unsigned ms) { Sleep(ms); }
#else
#include <time.h>
#include <unistd.h>
static inline unsigned long xt_pid(void) { return (unsigned long)getpid(); }
static inline void xt_sleep_ms(unsigned ms) {
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}
#endif

#endif
