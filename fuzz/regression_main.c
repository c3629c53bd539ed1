/* SPDX-License-Identifier: Apache-2.0 */
/*
 * regression_main.c - replays fuzz corpora without libFuzzer: a plain main()
 * linked with one <target>_fuzz.c. Every regular file of each folder given
 * (in name order, not recursing) goes to LLVMFuzzerTestOneInput(); a file
 * given directly is replayed too. An absent or empty folder is an error, so
 * a mistyped corpus path cannot pass silently.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Feeds one file to the harness; returns 0, or 1 when it cannot be read. */
static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 1;
    }
    size_t cap = 1 << 16, len = 0, n;
    uint8_t *data = malloc(cap);
    while (data && (n = fread(data + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            uint8_t *bigger = realloc(data, cap * 2);
            if (!bigger) {
                free(data);
                data = NULL;
                break;
            }
            data = bigger;
            cap *= 2;
        }
    }
    int bad = ferror(f) || !data;
    fclose(f);
    if (bad) {
        fprintf(stderr, "%s: cannot read\n", path);
        free(data);
        return 1;
    }
    LLVMFuzzerTestOneInput(data, len);
    free(data);
    return 0;
}

/* Replays every regular file of dir; adds them to *count. */
static int replay_dir(const char *dir, size_t *count)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort), failed = 0;
    size_t before = *count;
    if (n < 0) {
        perror(dir);
        return 1;
    }
    for (int i = 0; i < n; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            failed |= replay_file(path);
            (*count)++;
        }
        free(names[i]);
    }
    free(names);
    if (*count == before) {
        fprintf(stderr, "%s: no inputs\n", dir);
        return 1;
    }
    return failed;
}

int main(int argc, char **argv)
{
    size_t count = 0;
    int failed = argc < 2;
    if (argc < 2)
        fprintf(stderr, "usage: %s CORPUS_DIR|FILE...\n", argv[0]);
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISREG(st.st_mode)) {
            failed |= replay_file(argv[i]);
            count++;
        } else {
            failed |= replay_dir(argv[i], &count);
        }
    }
    printf("replayed %zu inputs\n", count);
    return failed;
}
