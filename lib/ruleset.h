/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ruleset.h - the compiled ruleset as the scanner sees it (private to
 * ruleset.c, scanner.c and summary.c).
 */
#ifndef EXH_RULESET_H
#define EXH_RULESET_H

#include "internal.h"

#include <pthread.h>

typedef struct rule_entry {
    sigma_rule *sigma;
    char *name;   /* Sigma name, else the file stem */
    char *source; /* "builtin:exchange/x.yml" or the user's path */
    char *logsource;
    unsigned families; /* bit (1u << log_family) per reader it applies to */
    char **literals;   /* the pre-filter's literals, sequences as globs */
    size_t literal_count;
    const winlog_source *winlog; /* product windows: its channels, else NULL */
} rule_entry;

/* The rules of one log family and their pre-filter. */
typedef struct family_rules {
    size_t *idx; /* indexes into exh_ruleset.rules */
    size_t count;
    prefilter *pf; /* NULL when some rule must see every record; its gate
                      numbers rules as idx does */
    bool decode;   /* a rule matches URI fields URL-decoded */
} family_rules;

/* One hash of a hash IOC list: MD5, SHA-1 or SHA-256, told apart by the
 * length of hex (32, 40 or 64 lower-case hex digits). */
typedef struct hash_ioc {
    char hex[65];
    char *comment; /* the list's comment for it, "" when none */
    char *rule;    /* "ioc_<list stem>" */
    char *title;   /* "File hash listed in the IOC list <stem>" */
    char *source;  /* the list's path, or "builtin:..." */
} hash_ioc;

/* A compiled YARA rule as exh_ruleset_yara_rule() gives it. */
typedef struct yara_listing {
    exh_rule_info info;
    char *cvebuf;        /* the cve meta, split in place */
    const char *cves[8]; /* into cvebuf */
} yara_listing;

/* One entry of a file-name IOC list (lib/match/nameioc.c). */
typedef struct name_ioc {
    void *re, *fp;         /* pcre2_code: the regex, the false-positive regex */
    char *regex;           /* as written */
    char *literal;         /* required, lower-cased; "" when none (nameioc.c) */
    char *comment;         /* the '#' line above it, "" when none */
    char *rule;            /* "ioc_<list stem>" */
    char *title;           /* "File name listed in the IOC list <stem>" */
    char *source;          /* the list's path */
    exh_severity severity; /* from the score: >= 80 high, >= 60 medium */
    int score;
} name_ioc;

/* Adds the entries of a file-name list; skipped ones are counted in *m. */
exh_status nameioc_add(exh_ruleset *rs, const char *text, size_t len,
                       const char *stem, const char *source, buf *m);
void nameioc_free(name_ioc *n);
/* True when n's regex is found in path and its false-positive regex is
 * not. lower is path with ASCII lower-cased, to check n's literal first,
 * or NULL when path holds a byte over 0x7f (caseless Unicode matching has
 * more forms than ASCII's: "(?i)s" matches U+017F); md from
 * nameioc_match_data (one per thread). */
bool nameioc_matches(const name_ioc *n, const char *path, const char *lower,
                     void *md);
/* The same without the literal check (for tests of its soundness). */
bool nameioc_regex_matches(const name_ioc *n, const char *path, void *md);
/* Writes the required literal of a regex (lower-cased; "" when none) to
 * out, which holds len + 1 bytes. */
void nameioc_literal(const char *re, size_t len, char *out);
void *nameioc_match_data(void);
void nameioc_match_data_free(void *md);

/* The entry for a digest (lower-case hex digits), or NULL. */
const hash_ioc *ruleset_hash_lookup(const exh_ruleset *rs, const char *hex);
/* True when the ruleset holds any rule for files (hash lists, YARA). */
bool ruleset_has_file_rules(const exh_ruleset *rs);

/* One exploitation wave (rules/waves.csv). */
typedef struct wave {
    char *name;
    int64_t start_ms; /* first known exploitation */
} wave;

/* A folder or file by identity, whatever links lead to it. */
typedef struct file_id {
    dev_t dev;
    ino_t ino;
} file_id;

struct exh_ruleset {
    rule_entry *rules;
    size_t count;
    family_rules fam[FAM__COUNT];
    wave *waves;
    size_t wave_count;
    char **owned; /* strings the pre-filters point to */
    size_t owned_count;
    yara_set *yara;   /* YARA rules for files, or NULL when none */
    hash_ioc *hashes; /* sorted by sha256 once loaded */
    size_t hash_count;
    bool hash_md5, hash_sha1; /* some entry is an MD5, a SHA-1 */
    yara_listing *ylist; /* per compiled YARA rule, made on first listing */
    size_t ylist_count;
    pthread_mutex_t ylock; /* guards making ylist */
    bool ylisted;          /* ylist made (or failed: ystatus) */
    exh_status ystatus;
    name_ioc *names; /* file-name IOC entries, in list order */
    size_t name_count;
    baseline *baseline; /* built-in known-good lists, or NULL */
    yara_set *yara_log; /* the user's YARA files that hold rules tagged LOG
                           (run per log line), or NULL */
    addr_set addrs;     /* the entries of the address IOC lists */
    file_id *loaded;    /* folders walked and files read while loading the
                           user's rules (each once); freed when loaded */
    size_t loaded_count;
};

#endif
