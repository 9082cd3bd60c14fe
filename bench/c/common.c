/* See common.h. */
#include "common.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

volatile uint64_t bench_sink;

uint64_t bench_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Linear interpolation between order statistics, as numpy's default. */
static double quantile(const double *sorted, size_t n, double q) {
    double pos = q * (double)(n - 1);
    size_t lo = (size_t)pos;
    if (lo + 1 >= n)
        return sorted[n - 1];
    return sorted[lo] + (pos - (double)lo) * (sorted[lo + 1] - sorted[lo]);
}

bench_stats bench_summarize(double *samples, size_t n) {
    bench_stats s = {0};
    if (n == 0)
        return s;
    qsort(samples, n, sizeof *samples, cmp_double);
    s.n = n;
    s.min = samples[0];
    s.max = samples[n - 1];
    s.median = quantile(samples, n, 0.5);
    s.p25 = quantile(samples, n, 0.25);
    s.p75 = quantile(samples, n, 0.75);
    return s;
}

void bench_json_stats(FILE *f, const char *key, const bench_stats *s) {
    fprintf(f, "\"%s\": {\"n\": %zu, \"median\": %.6g, \"min\": %.6g, \"max\": %.6g, "
               "\"p25\": %.6g, \"p75\": %.6g}",
            key, s->n, s->median, s->min, s->max, s->p25, s->p75);
}

void bench_fill(void *buf, size_t len) {
    uint64_t *w = buf;
    for (size_t i = 0; i < len / 8; i++)
        w[i] = (uint64_t)(i + 1) * 0x9E3779B97F4A7C15u;
}

uint64_t bench_sum64(const void *buf, size_t len) {
    /* Four independent accumulators so the loop is bound by loads, not by
     * the latency of one dependency chain. */
    const uint64_t *w = buf;
    size_t n = len / 8, i = 0;
    uint64_t a = 0, b = 0, c = 0, d = 0;
    for (; i + 4 <= n; i += 4) {
        a += w[i];
        b += w[i + 1];
        c += w[i + 2];
        d += w[i + 3];
    }
    for (; i < n; i++)
        a += w[i];
    return a + b + c + d;
}

uint32_t bench_crc32(const void *buf, size_t len) {
    static uint32_t table[256];
    if (table[1] == 0) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
    }
    const unsigned char *p = buf;
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; i++)
        crc = table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFu;
}

size_t bench_parse_size(const char *s) {
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s)
        return 0;
    switch (*end) {
    case 'K': v <<= 10; end++; break;
    case 'M': v <<= 20; end++; break;
    case 'G': v <<= 30; end++; break;
    default: break;
    }
    if (*end != '\0' || strcmp(s, end) == 0)
        return 0;
    return (size_t)v;
}
