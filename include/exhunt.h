/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exhunt.h - the public API of libexhunt, the engine behind the exhunt tool.
 *
 * Core model: exh_ruleset_load() compiles the built-in and user rules once
 * into an immutable exh_ruleset that every thread shares. Each caller creates
 * an exh_scanner that owns the mutable scratch space (and its worker
 * threads). exh_scanner_scan() walks one evidence target (a folder, an
 * archive collection, a single file or "-" for stdin), reads every log it
 * recognises record by record, matches the rules, and calls back once per
 * finding and once per unit summary. The CLI turns those into text or JSON.
 *
 * Memory and ownership:
 * 1. Whoever allocates, frees: every _new/_load has a _free beside it.
 * 2. Callback arguments are borrowed: valid until the callback returns.
 * 3. Strings a getter returns belong to the handle, valid until the next
 *    call on that handle or until it is freed.
 * 4. The library keeps no caller buffer after a call returns.
 * 5. Buffers that hold untrusted input are bounded; overlong records are
 *    truncated and flagged, never grown without end.
 *
 * Thread safety: an exh_ruleset is immutable and may be shared by any number
 * of scanners in any threads. An exh_scanner is used by one thread at a time.
 */
#ifndef EXHUNT_H
#define EXHUNT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define EXH_API       __attribute__((visibility("default")))
#define EXH_NODISCARD __attribute__((warn_unused_result))
#else
#define EXH_API
#define EXH_NODISCARD
#endif

#define EXH_VERSION_MAJOR 0
#define EXH_VERSION_MINOR 1
#define EXH_VERSION_PATCH 0
#define EXH_VERSION_NUMBER                                                     \
    ((EXH_VERSION_MAJOR << 16) | (EXH_VERSION_MINOR << 8) | EXH_VERSION_PATCH)
#define EXH_VERSION_STRING "0.1.0"

/* The JSON lines schema version this library writes. */
#define EXH_SCHEMA_VERSION 1

/* Status codes. Values are never renumbered. */
typedef enum exh_status {
    EXH_OK = 0,
    EXH_ERR_NOMEM,
    EXH_ERR_INVALID_ARG,
    EXH_ERR_IO,
    EXH_ERR_RULE_SYNTAX,
    EXH_ERR_ENGINE,
    EXH_ERR_LIMIT,
    EXH_ERR_TIMEOUT,
    EXH_ERR_UNSUPPORTED
} exh_status;

/* A fixed English string for a status code; never NULL. */
EXH_API const char *exh_status_str(exh_status status);

/* The run-time library version, EXH_VERSION_NUMBER of the build. */
EXH_API unsigned exh_version_number(void);
EXH_API const char *exh_version_string(void);

/* Severity, most severe first. */
typedef enum exh_severity {
    EXH_SEV_CRITICAL = 0,
    EXH_SEV_HIGH,
    EXH_SEV_MEDIUM,
    EXH_SEV_LOW,
    EXH_SEV_INFO
} exh_severity;

/* "critical", "high", ...; NULL for an out-of-range value. */
EXH_API const char *exh_severity_name(exh_severity severity);
/* Parses a severity name (case-insensitive; "informational" is accepted for
 * info). Returns EXH_OK and sets *out, or EXH_ERR_INVALID_ARG. */
EXH_API EXH_NODISCARD exh_status exh_severity_parse(const char *name,
                                                    exh_severity *out);

/* What a finding says about the server (DESIGN.md, JSON lines). */
typedef enum exh_category {
    EXH_CAT_VULNERABLE = 0,
    EXH_CAT_ATTEMPT,
    EXH_CAT_EXPLOITATION,
    EXH_CAT_WEBSHELL,
    EXH_CAT_POST_EXPLOITATION,
    EXH_CAT_SUSPICIOUS
} exh_category;

/* "vulnerable", "attempt", ...; NULL for an out-of-range value. */
EXH_API const char *exh_category_name(exh_category category);

/* ------------------------------------------------------------------------ */
/* Diagnostics of rule loading.                                              */

typedef struct exh_diag exh_diag;

/* Number of messages in a diagnostic list (0 for NULL). */
EXH_API size_t exh_diag_count(const exh_diag *diag);
/* Message i as "FILE:LINE: text" (LINE omitted when unknown); owned by diag.
 * NULL when i is out of range. */
EXH_API const char *exh_diag_message(const exh_diag *diag, size_t i);
/* Frees a diagnostic list; NULL is a no-op. */
EXH_API void exh_diag_free(exh_diag *diag);

/* ------------------------------------------------------------------------ */
/* Rulesets: compile once, share everywhere.                                 */

typedef struct exh_ruleset exh_ruleset;

/* Flags of exh_ruleset_load(). */
#define EXH_LOAD_NO_BUILTIN 0x1u /* skip the rules built into the library */

/*
 * Compiles the built-in rules (unless EXH_LOAD_NO_BUILTIN) and every rule
 * file found under the given paths (files or folders, walked recursively;
 * Sigma ".yml"/".yaml").
 *
 * paths:  path_count paths; may be NULL when path_count is 0.
 * flags:  EXH_LOAD_* flags.
 * out:    OUT: the compiled ruleset, set only on EXH_OK.
 * diag:   OUT, optional: on any outcome, a list of messages about rules that
 *         were rejected (the rest still load) or NULL when there are none.
 *         Free with exh_diag_free().
 *
 * Returns EXH_OK (even when some user rules were rejected: see *diag),
 * EXH_ERR_IO when a path cannot be read, EXH_ERR_RULE_SYNTAX when a built-in
 * rule is broken, EXH_ERR_NOMEM.
 */
EXH_API EXH_NODISCARD exh_status exh_ruleset_load(const char *const *paths,
                                                  size_t path_count,
                                                  unsigned flags,
                                                  exh_ruleset **out,
                                                  exh_diag **diag);
/*
 * Like exh_ruleset_load(), and also loads IOC lists from ioc_paths (files,
 * or folders whose files are taken by name as signature-base does): files
 * named "*c2*" or "*address*" hold one IP address, CIDR network or domain
 * per line ("VALUE[;COMMENT]", '#' comments). Each list becomes rules of
 * category suspicious, severity medium, named "ioc_<file stem>", matched
 * against client addresses (HttpProxy, IIS, remote PowerShell) and the
 * request host (HttpProxy, IIS). Hash and file-name lists are not used yet:
 * *diag says so.
 */
EXH_API EXH_NODISCARD exh_status exh_ruleset_load_with_iocs(
    const char *const *paths, size_t path_count, const char *const *ioc_paths,
    size_t ioc_count, unsigned flags, exh_ruleset **out, exh_diag **diag);

/* Frees a ruleset; NULL is a no-op. No scanner may still use it. */
EXH_API void exh_ruleset_free(exh_ruleset *rules);

/* Number of rules in the set (Sigma rules; see also the next). */
EXH_API size_t exh_ruleset_count(const exh_ruleset *rules);
/* Number of rules for files: YARA rules and hash IOC entries. */
EXH_API size_t exh_ruleset_file_rule_count(const exh_ruleset *rules);

/* Description of one rule, borrowed from the ruleset. */
typedef struct exh_rule_info {
    const char *name;      /* Sigma "name", else the file stem */
    const char *id;        /* Sigma "id", or NULL */
    const char *title;     /* Sigma "title" */
    const char *source;    /* "builtin:PATH" or the user's file path */
    const char *author;    /* or NULL */
    const char *logsource; /* "exchange/httpproxy", ... as product/service */
    exh_severity severity;
    exh_category category;
    const char *const *cve; /* CVE ids taken from the tags */
    size_t cve_count;
    const char *const *attack; /* ATT&CK technique ids from the tags */
    size_t attack_count;
    int has_reader; /* 1 when a reader feeds this rule's logsource */
    /* The pre-filter's literals (lower case): a record this rule matches
     * holds one of them ('*' separates runs that stand in order in one
     * value). None when the rule must see every record, and for YARA. */
    const char *const *literals;
    size_t literal_count;
} exh_rule_info;

/* The YARA rules loaded (built-in and from --rules), and rule i of them:
 * name, title (its description), source, author, logsource "file",
 * severity and category from the exhunt_severity/exhunt_category metas
 * (else signature-base's score, and suspicious), cve from the cve meta; no
 * id, no ATT&CK ids. Pointers stay valid while the ruleset lives. */
EXH_API size_t exh_ruleset_yara_count(const exh_ruleset *rules);
EXH_API EXH_NODISCARD exh_status exh_ruleset_yara_rule(const exh_ruleset *rules,
                                                       size_t i,
                                                       exh_rule_info *out);

/* The built-in checks written in code rather than as rules (the auth-folder
 * baseline, IIS modules, transport agents, scheduled tasks, services), and
 * check i of them: name, title, source, author "exhunt", logsource "file",
 * the severity and category of its findings; no id, CVE or ATT&CK ids.
 * Static: valid for the life of the program. */
EXH_API size_t exh_check_count(void);
EXH_API EXH_NODISCARD exh_status exh_check_info(size_t i, exh_rule_info *out);

/* Fills *out with rule i (0 <= i < count). Returns EXH_ERR_INVALID_ARG when
 * i is out of range. Pointers stay valid while the ruleset lives. */
EXH_API EXH_NODISCARD exh_status exh_ruleset_rule(const exh_ruleset *rules,
                                                  size_t i, exh_rule_info *out);

/* ------------------------------------------------------------------------ */
/* Findings and summaries, as the scanner reports them.                      */

/* One evidence field: the key and its raw bytes (attacker-controlled: may
 * hold control characters or invalid UTF-8; escape before display). A value
 * the library cut (a field over 4,096 bytes, a YARA log line over 1,024)
 * ends at a character boundary, then in EXH_TRUNCATED_MARK (U+2026, the
 * ellipsis, then "[truncated from "), its full length and " bytes]":
 * "AAAA" EXH_TRUNCATED_MARK "4101 bytes]". */
#define EXH_TRUNCATED_MARK "\xe2\x80\xa6[truncated from "

typedef struct exh_kv {
    const char *key;
    const char *value;
    size_t value_len; /* bytes in value, EXCLUDING the terminating NUL */
} exh_kv;

/* Times of a file finding. */
typedef struct exh_file_info {
    const char *sha256; /* hex, or NULL */
    uint64_t size;
    const char *modified;    /* ISO 8601 UTC, or NULL */
    const char *created;     /* ISO 8601 UTC, or NULL */
    const char *time_source; /* "posix", "kape-copylog", ... or NULL */
    /* Disk images (NTFS) only; ntfs is 0 and the rest NULL elsewhere. */
    int ntfs;
    const char *times[8];   /* si_created, si_modified, si_changed,
                               si_accessed, fn_created, fn_modified,
                               fn_changed, fn_accessed: ISO 8601 or NULL */
    const char *owner;      /* SID ("S-1-5-18"), or NULL */
    const char *owner_name; /* "SYSTEM" for a well-known SID, or NULL */
    int deleted;            /* the MFT entry was deleted (--deleted) */
    const char *stream;     /* alternate data stream name, or NULL */
    /* --shadows: the creation time of the shadow copy the file was read
     * from (ISO 8601), or NULL for the live volume */
    const char *snapshot;
} exh_file_info;

/*
 * A finding. Allocated by the library; new fields are only ever appended at
 * the end. All pointers are borrowed and valid until the callback returns.
 * Optional strings are NULL when absent.
 */
typedef struct exh_finding {
    const char *id;     /* "f-000001", unique within one target's output */
    const char *target; /* the target as the caller gave it */
    const char *unit;   /* the unit's root inside the target, "." for all */
    const char *host;   /* the server's name when the evidence tells it */
    const char *rule;
    const char *rule_id;
    const char *rule_source;
    const char *rule_author;
    const char *title;
    exh_severity severity;
    exh_category category;
    const char *const *cve;
    size_t cve_count;
    const char *const *attack;
    size_t attack_count;
    const char *time;        /* ISO 8601 UTC of the record or file, or NULL */
    const char *last_time;   /* last record of an aggregated finding, or NULL */
    uint64_t count;          /* > 1 for an aggregated finding */
    const char *source_type; /* "httpproxy", "ecp-server", "oabgenerator" */
    const char *source_path; /* target joined with the entry's path */
    const char *windows_path; /* the original Windows path, or NULL */
    uint64_t line;            /* 1-based line of a text log record, or 0 */
    uint64_t record;          /* event record id, or 0 */
    const exh_kv *evidence;
    size_t evidence_count;
    const exh_file_info *file; /* file findings only, else NULL */
    const char *const *seen_in;
    size_t seen_in_count;
    const char *const *related; /* ids of findings of the same story */
    size_t related_count;
    const char *source_url; /* the URL a probe finding came from, or NULL */
} exh_finding;

/* A hole in a coverage window: a silence longer than six hours, a break in
 * an event log's EventRecordID sequence, or a cleared event log. */
typedef struct exh_gap {
    const char *from; /* ISO 8601 UTC */
    const char *to;
    /* NULL for a silence; "records": the ids between from_record and
     * to_record (both read) are missing; "cleared": the channel was cleared
     * by its record to_record at `to` (from equals to, from_record 0). */
    const char *reason;
    uint64_t from_record, to_record;
} exh_gap;

/* How far one log family reaches (DESIGN.md, coverage families). */
typedef struct exh_coverage {
    const char *family; /* "httpproxy", "ecp-server", ... */
    uint64_t files;
    uint64_t records;
    const char *first; /* ISO 8601 UTC of the earliest record, or NULL */
    const char *last;
    const exh_gap *gaps;
    size_t gap_count;
    const char *const *warnings; /* plain sentences */
    size_t warning_count;
} exh_coverage;

/* An entry that could not be read, or a problem met while reading one. */
typedef struct exh_error {
    const char *path;
    const char *message;
} exh_error;

/* One attack story: findings linked by correlation (same client within
 * minutes, the file a request planted or used, the process a web shell
 * started), with the stages they show and a paragraph that tells it. */
typedef struct exh_incident {
    const char *id;            /* "i-" and the number of its first finding */
    const char *start;         /* ISO 8601 UTC of its first finding, or NULL */
    const char *end;           /* of its last record, or NULL */
    const char *const *stages; /* "initial-access", "webshell", ... */
    size_t stage_count;
    const char *const *findings; /* ids, in output order */
    size_t finding_count;
    const char *story; /* plain sentences; holds attacker-controlled text */
} exh_incident;

/* One value of the attacker pivot (an address, account, user agent or
 * file) and the findings it appears in. */
typedef struct exh_pivot_item {
    const char *value; /* attacker-controlled: escape before display */
    const char *first; /* ISO 8601 UTC, or NULL */
    const char *last;
    uint64_t count;              /* records it appears in */
    const char *const *findings; /* ids (at most 100) */
    size_t finding_count;
    /* Addresses only: the names of the address IOC lists (--ioc) that hold
     * the address or a network around it; NULL and 0 when none. */
    const char *const *ioc;
    size_t ioc_count;
} exh_pivot_item;

/* The four lists of the pivot, in this order in exh_summary.pivot. */
enum {
    EXH_PIVOT_ADDRESSES = 0,
    EXH_PIVOT_ACCOUNTS,
    EXH_PIVOT_USER_AGENTS,
    EXH_PIVOT_FILES,
    EXH_PIVOT__COUNT
};

/* One build of a unit's build timeline: a build its Exchange logs show
 * (their "#Version:" headers, the "S:BLD=" values of ECP rows) from the
 * first to the last record that shows it. */
typedef struct exh_build_step {
    const char *version; /* "15.1.2176.2" */
    const char *first;   /* ISO 8601 UTC times */
    const char *last;
    const char *source; /* "log-header" | "ecp-row": how path showed it */
    const char *path;   /* source.path of the log that showed it last */
    /* every way the logs showed it, in that order: "log-header" and/or
     * "ecp-row" (both when they agree) */
    const char *const *sources;
    size_t source_count;
} exh_build_step;

/* Verdict values are the strings of DESIGN.md ("yes", "no-sign", ...). */
typedef struct exh_summary {
    const char *target;
    const char *unit;
    const char *host;
    const char *vulnerable; /* "yes" | "mitigated" | "no" | "unknown" */
    const char *exploited;  /* "yes" | "attempted" | "no-sign" | "unknown" */
    const char *backdoored; /* "yes" | "suspicious" | "no-sign" | "unknown" */
    const char *reason_vulnerable;
    const char *reason_exploited;
    const char *reason_backdoored;
    const exh_coverage *coverage;
    size_t coverage_count;
    uint64_t entries;     /* files seen in the unit */
    uint64_t scanned;     /* files read */
    uint64_t skipped;     /* files passed over (out of scope, not a log) */
    uint64_t unreadable;  /* files that could not be read */
    uint64_t suppressed;  /* low/info findings over the per-rule cap */
    uint64_t bad_records; /* records skipped or truncated as malformed */
    /* log files not read because their names (else their "#Date:"
     * headers) date them more than a day outside --since/--until (also
     * counted in skipped) */
    uint64_t outside_window;
    uint64_t records;          /* log records read */
    uint64_t prefilter_passed; /* records the pre-filter let through to the
                                  rules (the others hold no rule literal) */
    uint64_t findings[5];      /* written findings by exh_severity */
    const exh_error *errors;
    size_t error_count;
    uint64_t errors_omitted; /* errors beyond those listed */
    /* The installed Exchange build (see exh_build_info below), or NULL
     * when none was found. */
    const struct exh_build_info *build;
    const char *build_source;       /* where it was found, or NULL */
    const char *const *mitigations; /* mitigations in place (sentences) */
    size_t mitigation_count;
    const exh_incident *incidents; /* the unit's attack stories */
    size_t incident_count;
    /* The attacker pivot: lists indexed by EXH_PIVOT_*. */
    const exh_pivot_item *pivot[EXH_PIVOT__COUNT];
    size_t pivot_count[EXH_PIVOT__COUNT];
    /* The builds the unit's logs show, oldest first (at most 8), whichever
     * source the build came from; written only with a build. */
    const exh_build_step *build_timeline;
    size_t build_timeline_count;
    /* Facts about the evidence that are no error, "PATH: sentence" (a
     * volume without shadow copies, each shadow copy read). */
    const char *const *notes;
    size_t note_count;
} exh_summary;

typedef enum exh_cb_result { EXH_CONTINUE = 0, EXH_STOP = 1 } exh_cb_result;

/* Called once per finding, in output order (by unit; then by time, path,
 * line or record, rule). f is borrowed. */
typedef exh_cb_result (*exh_finding_cb)(const exh_finding *f, void *user);
/* Called once per unit, after that unit's findings. s is borrowed. */
typedef exh_cb_result (*exh_summary_cb)(const exh_summary *s, void *user);
/* Progress: files and bytes done so far, and the files known so far.
 * Called from the scanning thread at most a few times a second. */
typedef void (*exh_progress_cb)(uint64_t files_done, uint64_t files_known,
                                uint64_t bytes_done, void *user);

/*
 * Writes f as one JSON object (schema 1) followed by a newline to out. The
 * output is valid UTF-8: bytes that are not are written as "\xNN" text.
 * Returns EXH_ERR_IO when writing fails.
 */
EXH_API EXH_NODISCARD exh_status exh_finding_write_json(const exh_finding *f,
                                                        FILE *out);
/* Writes s as one JSON summary object (schema 1) and a newline to out. */
EXH_API EXH_NODISCARD exh_status exh_summary_write_json(const exh_summary *s,
                                                        FILE *out);

/* ------------------------------------------------------------------------ */
/* Scanners.                                                                 */

typedef struct exh_scanner exh_scanner;

/* Creates a scanner over rules, which must outlive it.
 * out: OUT, set only on EXH_OK. Returns EXH_ERR_NOMEM or EXH_OK. */
EXH_API EXH_NODISCARD exh_status exh_scanner_new(const exh_ruleset *rules,
                                                 exh_scanner **out);
/* Frees a scanner; NULL is a no-op. */
EXH_API void exh_scanner_free(exh_scanner *scanner);

/* Worker threads for folder targets; 0 (the default) means one per core. */
EXH_API void exh_scanner_set_threads(exh_scanner *scanner, unsigned threads);
/* Only records at or after since_ms / before or at until_ms (milliseconds
 * since the Unix epoch, UTC) are matched. Files are never filtered by time. */
EXH_API void exh_scanner_set_since_ms(exh_scanner *scanner, int64_t since_ms);
EXH_API void exh_scanner_set_until_ms(exh_scanner *scanner, int64_t until_ms);
/* Password for encrypted zip collections (copied); NULL clears it. */
EXH_API EXH_NODISCARD exh_status exh_scanner_set_password(exh_scanner *scanner,
                                                          const char *password);
/* Read every file of a volume, not only the drop zones. */
EXH_API void exh_scanner_set_all_files(exh_scanner *scanner, int all_files);
/* Disk images: also read deleted files whose data is intact (--deleted). */
EXH_API void exh_scanner_set_deleted(exh_scanner *scanner, int deleted);
/* Disk images: also read every volume shadow copy (--shadows). */
EXH_API void exh_scanner_set_shadows(exh_scanner *scanner, int shadows);
/* Files larger than bytes are counted as skipped, not hashed or scanned
 * (a minidump: only its first bytes are scanned). Default 64 MiB; values
 * are clamped to EXH_MAX_FILE_SIZE_MIN .. EXH_MAX_FILE_SIZE_MAX. */
#define EXH_MAX_FILE_SIZE_DEFAULT ((uint64_t)64 << 20)
#define EXH_MAX_FILE_SIZE_MIN     ((uint64_t)4 << 10)
#define EXH_MAX_FILE_SIZE_MAX     ((uint64_t)1 << 30)
EXH_API void exh_scanner_set_max_file_size(exh_scanner *scanner,
                                           uint64_t bytes);
/* Progress callback; NULL turns it off. */
EXH_API void exh_scanner_set_progress(exh_scanner *scanner,
                                      exh_progress_cb progress, void *user);

/* Outcome of one scan, for the caller's exit status. */
typedef struct exh_scan_result {
    uint64_t units;
    uint64_t findings;     /* findings written */
    int target_unreadable; /* 1 when the target could not be read at all */
    int units_unreadable;  /* units that could not be read at all */
} exh_scan_result;

/*
 * Scans one target: a folder, a .zip/.tar/.tar.gz collection, a single file,
 * or "-" for stdin. Findings and summaries arrive through the callbacks,
 * unit by unit. Evidence is only read: files are opened read-only (with
 * O_NOATIME where permitted) and links that leave the target are not
 * followed. Malformed input is counted in the summary, never an error.
 *
 * result: OUT, optional.
 * Returns EXH_OK (also when the target was unreadable: see result and the
 * summary's errors), EXH_ERR_NOMEM, or EXH_ERR_ENGINE; a callback returning
 * EXH_STOP ends the scan early with EXH_OK. exh_scanner_errmsg() then tells
 * more.
 */
EXH_API EXH_NODISCARD exh_status exh_scanner_scan(
    exh_scanner *scanner, const char *target, exh_finding_cb on_finding,
    exh_summary_cb on_summary, void *user, exh_scan_result *result);

/* A message about the last failed call on scanner; owned by the scanner.
 * Never NULL. */
EXH_API const char *exh_scanner_errmsg(const exh_scanner *scanner);

/* ------------------------------------------------------------------------ */
/* Exchange builds: patch status from the built-in build table.              */

typedef struct exh_build exh_build;

/* What the build table says about one build number. Strings belong to the
 * exh_build and live until exh_build_free(). */
typedef struct exh_build_info {
    const char *version;   /* normalised: "15.1.2176.2" (or "15.1.2176") */
    const char *product;   /* "Exchange Server 2016" */
    const char *update;    /* "CU19 Mar21SU"; for an unlisted update of a
                              listed CU, the CU ("CU19"); else NULL */
    const char *name;      /* product and update, or NULL */
    const char *released;  /* "YYYY-MM-DD" or "YYYY-MM"; NULL if not listed */
    int exact;             /* 1 when the table lists this very build */
    int cu_only;           /* 1 when only major.minor.build was given */
    const char *placement; /* how an unlisted (or CU-only) build was
                              placed between its neighbours, else NULL */
    const char *note;      /* the table's note on this build, or NULL */
    const char *const *open_cve; /* covered CVEs this build leaves open */
    size_t open_count;
    const char *const *fixed_cve; /* covered CVEs it has fixed */
    size_t fixed_count;
    const char *const *open_severity; /* severity name of each open CVE */
    const char *const *open_title;    /* what each open CVE is */
} exh_build_info;

/*
 * Looks up a build number ("15.1.2176.2"; leading zeros as in
 * "15.01.2176.002" and the CU-level form "15.1.2176" are accepted) in the
 * built-in table. OUT: *out, freed with exh_build_free(), set only on
 * EXH_OK. Returns EXH_ERR_INVALID_ARG for a malformed string,
 * EXH_ERR_UNSUPPORTED for a well-formed number of no covered product
 * (Exchange 2010 to Subscription Edition), EXH_ERR_NOMEM. Thread-safe.
 */
EXH_API EXH_NODISCARD exh_status exh_build_lookup(const char *version,
                                                  exh_build **out);
/* The lookup's result; never NULL. */
EXH_API const exh_build_info *exh_build_get(const exh_build *build);
/* Writes the build as one JSON object of kind "build" (schema 1) and a
 * newline to out; source (where the number was found) may be NULL.
 * Returns EXH_ERR_IO when writing fails. */
EXH_API EXH_NODISCARD exh_status exh_build_write_json(const exh_build *build,
                                                      const char *source,
                                                      FILE *out);
EXH_API void exh_build_free(exh_build *build);

/*
 * Finds the installed Exchange build in target (a folder, an archive
 * collection or one file), best source first: the FileVersion of
 * ExSetup.exe's version resource (a copy under a Bin folder first), else
 * OWA's version folders (CU level only: three parts). A target that is one
 * file is read as a PE file. OUT: version ("15.1.2176.2" or "15.1.2176")
 * and source (a sentence naming where it was found; may be NULL), both
 * NUL-terminated and truncated to their sizes. Returns EXH_OK,
 * EXH_ERR_UNSUPPORTED when no build was found, EXH_ERR_IO when target
 * cannot be read, EXH_ERR_NOMEM.
 */
EXH_API EXH_NODISCARD exh_status exh_build_detect(const char *target,
                                                  char *version,
                                                  size_t version_size,
                                                  char *source,
                                                  size_t source_size);

/* What exh_build_find() found: the build, where, and the builds the
 * target's logs show (their "#Version:" headers with their "#Date:", the
 * "S:BLD=" values of the first rows of ECP logs with those rows' times),
 * oldest first, at most 8. Strings belong to it. */
typedef struct exh_build_found {
    const char *version; /* "15.1.2176.2" or "15.1.2176" */
    const char *source;  /* the sentence exh_build_detect() gives */
    const exh_build_step *timeline;
    size_t timeline_count;
} exh_build_found;
/* exh_build_detect() with the timeline. OUT: *out, freed with
 * exh_build_found_free(), set only on EXH_OK. Same returns. */
EXH_API EXH_NODISCARD exh_status exh_build_find(const char *target,
                                                exh_build_found **out);
EXH_API void exh_build_found_free(exh_build_found *found);
/* exh_build_write_json() for a build found in a target: adds "source" and
 * "timeline" (found may be NULL: neither). */
EXH_API EXH_NODISCARD exh_status exh_build_write_json_found(
    const exh_build *build, const exh_build_found *found, FILE *out);

/* ------------------------------------------------------------------------ */
/* Probes: checks of live servers over the network (libcurl).                */

typedef struct exh_prober exh_prober;

/* What one target gave. Strings and build belong to the prober and are
 * valid until the callback returns. */
typedef struct exh_probe_result {
    const char *target;         /* the URL as given */
    const char *error;          /* why the target could not be checked at
                                   all (no answer, bad URL), else NULL */
    const char *version;        /* the build it shows, or NULL */
    const char *version_source; /* where: "X-OWA-Version header ...", ... */
    const struct exh_build_info *build; /* its lookup, or NULL */
    int proxylogon; /* --active: 1 X-CalculatedBETarget named localhost
                       (CVE-2021-26855), 0 not, -1 not checked */
    int proxyshell; /* --active: 1 the autodiscover check answered 302
                       (CVE-2021-34473), 0 answered 400, 2 something
                       else, -1 not checked */
} exh_probe_result;

typedef exh_cb_result (*exh_probe_cb)(const exh_probe_result *r, void *user);

/* Creates a prober: passive, TLS verified, 50 connections (4 per
 * host:port), 10 s per request, no rate limit. OUT: *out, freed with
 * exh_prober_free(). */
EXH_API EXH_NODISCARD exh_status exh_prober_new(exh_prober **out);
EXH_API void exh_prober_free(exh_prober *prober);
/* Also run the checks that touch the vulnerable code paths (they leave
 * ServerInfo~localhost rows in the server's HttpProxy logs). */
EXH_API void exh_prober_set_active(exh_prober *prober, int active);
/* Skip TLS certificate and host name verification. */
EXH_API void exh_prober_set_insecure(exh_prober *prober, int insecure);
EXH_API void exh_prober_set_concurrency(exh_prober *prober, unsigned n);
/* At most n connections to one host:port at a time (default 4); targets of
 * a full host wait while others start. */
EXH_API void exh_prober_set_per_host(exh_prober *prober, unsigned n);
EXH_API void exh_prober_set_timeout_ms(exh_prober *prober, long timeout_ms);
/* At most per_second requests started per second (0: no limit). */
EXH_API void exh_prober_set_rate(exh_prober *prober, double per_second);
/*
 * Probes every URL ("https://host[:port]", "http://...", or a bare host
 * for https), many at once, GET requests only, redirects never followed;
 * calls cb once per target in input order. A target that fails is reported
 * with its error; the others go on. Returns EXH_OK, EXH_ERR_NOMEM or
 * EXH_ERR_ENGINE (libcurl could not be loaded or could not start;
 * exh_prober_errmsg() tells which).
 */
/* Writes r as one JSON object of kind "probe" (schema 1) and a newline. */
EXH_API EXH_NODISCARD exh_status
exh_probe_result_write_json(const exh_probe_result *r, FILE *out);
/* "vulnerable", "not-vulnerable", "unclear" or "not-checked" for a check
 * value of exh_probe_result. */
EXH_API const char *exh_probe_check_name(int value);
EXH_API EXH_NODISCARD exh_status exh_prober_run(exh_prober *prober,
                                                const char *const *urls,
                                                size_t count, exh_probe_cb cb,
                                                void *user);
/* Why the last exh_prober_run() on prober failed with EXH_ERR_ENGINE
 * ("cannot load libcurl.so.4: ..."); "no error" otherwise. Owned by
 * prober; never NULL. */
EXH_API const char *exh_prober_errmsg(const exh_prober *prober);

/* ------------------------------------------------------------------------ */
/* Replay: findings and summaries read back from saved JSON lines.          */

typedef struct exh_replay_result {
    uint64_t lines;      /* lines read */
    uint64_t findings;   /* findings handed to the callback */
    uint64_t summaries;  /* summaries handed to the callback */
    uint64_t skipped;    /* lines of other kinds (rule, build, probe) */
    uint64_t error_line; /* the line that stopped the replay, or 0 */
} exh_replay_result;

/*
 * Reads the JSON lines of `exhunt scan -f jsonl` (schema 1 or older) from
 * in and calls on_finding and on_summary as a scan would, in file order.
 * Pointers are borrowed until the callback returns. A line that is not a
 * whole JSON object of exhunt's (a truncated file) stops the replay with
 * EXH_ERR_INVALID_ARG, one of a newer schema with EXH_ERR_UNSUPPORTED, a
 * line over 64 MiB with EXH_ERR_LIMIT; errmsg (optional) then names the
 * line and the problem. Returns EXH_OK, those, EXH_ERR_IO, EXH_ERR_NOMEM.
 * result: OUT, optional.
 */
EXH_API EXH_NODISCARD exh_status exh_jsonl_replay(
    FILE *in, exh_finding_cb on_finding, exh_summary_cb on_summary, void *user,
    exh_replay_result *result, char *errmsg, size_t errmsg_size);

/* ------------------------------------------------------------------------ */
/* Utilities shared with the CLI.                                            */

/* Parses an ISO 8601 time ("2021-03-02", "2021-03-02T04:12", with seconds,
 * fractions, "Z" or "+hh:mm"; UTC when no offset is given) into
 * milliseconds since the epoch. Returns EXH_OK or EXH_ERR_INVALID_ARG. */
EXH_API EXH_NODISCARD exh_status exh_time_parse(const char *text,
                                                int64_t *out_ms);

/*
 * Escapes untrusted bytes for a terminal: control characters, DEL, bytes
 * that are not UTF-8 and the C1 controls become \xNN; a backslash is
 * doubled where it could start an escape (before a backslash, an 'x' or
 * an escaped byte), else kept single ("C:\inetpub"). Writes at most out_size
 * bytes including the NUL and returns the length the full escape needs, like
 * snprintf.
 */
EXH_API size_t exh_escape_text(const char *in, size_t in_len, char *out,
                               size_t out_size);

#ifdef __cplusplus
}
#endif
#endif /* EXHUNT_H */
