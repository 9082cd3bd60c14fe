/*
 * Shared helpers of the C benchmarks: a monotonic clock, robust statistics
 * over repeated samples, the payload pattern and the checksum every
 * consumer computes, and a tiny JSON writer (the results are read by
 * bench/py/report.py, so every program emits the same shapes).
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Nanoseconds from CLOCK_MONOTONIC. */
uint64_t bench_now_ns(void);

/* Summary of n samples (seconds per operation). Sorts samples in place. */
typedef struct bench_stats {
    size_t n;
    double median, min, max, p25, p75;
} bench_stats;
bench_stats bench_summarize(double *samples, size_t n);

/* Writes "key": {"n":..,"median":..,...} (no trailing comma). */
void bench_json_stats(FILE *f, const char *key, const bench_stats *s);

/* Fills buf (len a multiple of 8) with a pattern no bug could fake by
 * leaving pages zero or repeating a short period. */
void bench_fill(void *buf, size_t len);

/* Wrapping sum of the native 64-bit words of buf (len a multiple of 8):
 * cheap enough to run at memory speed, yet it reads every byte. */
uint64_t bench_sum64(const void *buf, size_t len);

/* zlib-compatible CRC-32, used only to check what a pure-Python consumer
 * (zlib.crc32) reports; it is never timed. */
uint32_t bench_crc32(const void *buf, size_t len);

/* Parses "4K", "16M", "1G", "4096": binary units. 0 on error. */
size_t bench_parse_size(const char *s);

/* Keeps the optimiser from discarding a computed value. */
extern volatile uint64_t bench_sink;

#endif
