/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hs_literals.c - the cost of the pre-filter's literal search alone: reads
 * files into memory, compiles a list of literals (one per line, matched
 * caseless, as lib/match/prefilter.c compiles them) into one Hyperscan
 * literal database, and scans the bytes in 128 KiB blocks (exhunt's read
 * size) on one thread, RUNS times. Prints the best and median times, the
 * rate, and with -v the hits of each literal. bench/literals.sh runs it.
 *
 * usage: hs_literals [-v] LITERALS RUNS FILE...
 */
#include <hs/hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BLOCK  (128u * 1024u)
#define MAXLIT 1024

static unsigned long hit_count[MAXLIT];

static int on_hit(unsigned id, unsigned long long from, unsigned long long to,
                  unsigned flags, void *ctx)
{
    (void)from;
    (void)to;
    (void)flags;
    (void)ctx;
    hit_count[id]++;
    return 0;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
    if (argc - verbose < 4) {
        fprintf(stderr, "usage: hs_literals [-v] LITERALS RUNS FILE...\n");
        return 2;
    }
    argv += verbose;
    argc -= verbose;
    static char *lits[MAXLIT];
    static size_t lens[MAXLIT];
    static unsigned flags[MAXLIT], ids[MAXLIT];
    unsigned n = 0;
    char line[8192];
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    while (n < MAXLIT && fgets(line, sizeof line, f)) {
        size_t len = strcspn(line, "\r\n");
        if (len == 0)
            continue;
        lits[n] = malloc(len);
        memcpy(lits[n], line, len);
        lens[n] = len;
        flags[n] = HS_FLAG_CASELESS;
        ids[n] = n;
        n++;
    }
    fclose(f);
    long runs_arg = strtol(argv[2], NULL, 10);
    int runs = runs_arg > 0 && runs_arg < 1000 ? (int)runs_arg : 0;
    if (n == 0 || runs < 1) {
        fprintf(stderr, "hs_literals: no literal, or RUNS < 1\n");
        return 2;
    }
    size_t cap = 1 << 20, size = 0;
    char *data = malloc(cap);
    for (int i = 3; i < argc && data; i++) {
        FILE *in = fopen(argv[i], "rb");
        if (!in) {
            perror(argv[i]);
            return 2;
        }
        size_t got;
        while (data && (got = fread(data + size, 1, cap - size, in)) > 0) {
            size += got;
            if (size == cap)
                data = realloc(data, cap *= 2);
        }
        fclose(in);
    }
    if (!data) {
        fprintf(stderr, "hs_literals: out of memory\n");
        return 2;
    }
    hs_database_t *db = NULL;
    hs_compile_error_t *err = NULL;
    if (hs_compile_lit_multi((const char *const *)lits, flags, ids, lens, n,
                             HS_MODE_BLOCK, NULL, &db, &err) != HS_SUCCESS) {
        fprintf(stderr, "hs_literals: %s\n", err->message);
        return 2;
    }
    hs_scratch_t *scratch = NULL;
    if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS)
        return 2;
    double *ms = calloc((size_t)runs, sizeof *ms);
    for (int r = 0; r < runs; r++) {
        memset(hit_count, 0, sizeof hit_count);
        double t0 = now_ms();
        for (size_t off = 0; off < size; off += BLOCK) {
            size_t len = size - off < BLOCK ? size - off : BLOCK;
            hs_scan(db, data + off, (unsigned)len, 0, scratch, on_hit, NULL);
        }
        ms[r] = now_ms() - t0;
    }
    qsort(ms, (size_t)runs, sizeof *ms, cmp_double);
    double med = ms[runs / 2];
    printf("%u literals over %.1f MiB: best %.1f ms, median %.1f ms, "
           "%.2f GB/s (median), one thread\n",
           n, (double)size / 1048576.0, ms[0], med, (double)size / med / 1e6);
    for (unsigned i = 0; verbose && i < n; i++)
        printf("%10lu  %.*s\n", hit_count[i], (int)lens[i], lits[i]);
    hs_free_scratch(scratch);
    hs_free_database(db);
    free(ms);
    free(data);
    return 0;
}
