/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scan.h - the scanner's private model of units, findings and coverage,
 * shared by scanner.c (walking and matching), finding.c (aggregation,
 * order, caps) and summary.c (coverage and verdicts).
 */
#ifndef EXH_SCAN_H
#define EXH_SCAN_H

#include "ruleset.h"

#include <pthread.h>

/* The rule of a finding that no Sigma rule made (YARA, IOC lists). */
typedef struct frule {
    char *name, *title, *source, *author; /* owned; author may be NULL */
    exh_severity severity;
    exh_category category;
    char *cve; /* owned: comma-separated CVE ids (a YARA rule's meta cve),
                  or NULL */
} frule;

/* What a file finding says about its file. */
typedef struct ifile {
    char sha256[65];
    uint64_t size;
    int64_t modified_ms, created_ms; /* INT64_MIN when unknown */
    const char *time_source;         /* static string, or NULL */
    /* NTFS volumes of disk images only (has_ntfs): */
    bool has_ntfs, deleted;
    int64_t ntfs_times[8]; /* si_created, si_modified, si_changed,
                              si_accessed, fn_... likewise; INT64_MIN */
    char owner[192];       /* SID, "" when unknown */
    char stream[768];      /* alternate data stream name, "" for none */
} ifile;

/* A finding as collected, before ordering and numbering. */
typedef struct ifinding {
    size_t rule;     /* index into exh_ruleset.rules, or SIZE_MAX: fr */
    frule fr;        /* the rule when rule is SIZE_MAX */
    ifile *file;     /* owned; file findings only */
    int64_t time_ms; /* INT64_MIN when unknown */
    int64_t last_ms; /* last record of an aggregate, else INT64_MIN */
    uint64_t count;
    log_family family;
    char *source_path;
    char *windows_path; /* or NULL */
    uint64_t line;
    exh_kv *evidence; /* keys and values owned */
    size_t evidence_count;
    const char *source_type; /* static; NULL: "file" or the log family */
    /* The build that logged the record, when the record or its file's
     * header names it (build_log.c judges exploitation against it). */
    uint16_t logged_build[4];
    const char *logged_by; /* static: "row", "log-header"; NULL: none */
    /* Set when build_log.c judged the finding: these replace the rule's
     * severity and category. */
    bool judged;
    exh_severity judged_severity;
    exh_category judged_category;
    /* Shadow copies (shadow.c): where the finding was seen, bit 0 the live
     * volume, bit k the unit's snapshot k (0: live only); snap: the
     * snapshot its evidence was read from, 0 for live. */
    uint64_t seen;
    unsigned snap;
} ifinding;

/* A growable list of findings. */
typedef struct flist {
    ifinding *items;
    size_t count, cap;
} flist;

/* Aggregates of one unit: (rule, client, hour) -> index into a flist. */
typedef struct aggmap {
    char **keys;
    size_t *slots;
    size_t cap, used;
} aggmap;

/* Coverage reports silences longer than this (DESIGN.md: six hours). */
#define COVERAGE_GAP_MS (6 * 3600 * 1000LL)

/* Stretches of records with no silence over COVERAGE_GAP_MS inside: the
 * raw material of first, last and gaps. */
typedef struct span {
    int64_t first_ms, last_ms;
} span;

/* A run of consecutive EventRecordIDs of one event log channel, with the
 * times of its first and last record. */
typedef struct idrun {
    uint64_t first_id, last_id;
    int64_t first_ms, last_ms;
} idrun;

/* A cleared-log event (Security 1102, System 104) of a channel. */
typedef struct clear_mark {
    uint64_t record;
    int64_t time_ms;
} clear_mark;

/* At most this many id runs and clear marks per coverage entry (a hostile
 * log could break its sequence at every record). */
#define COVERAGE_MAX_MARKS 4096

/* A log file the USN journal saw deleted: the span its name dates
 * (INT64_MIN when it dates none) and when it was deleted. */
typedef struct deleted_log {
    int64_t from_ms, to_ms, at_ms;
} deleted_log;

typedef struct coverage_acc {
    uint64_t files, records;
    deleted_log *dels; /* logs deleted (lib/triage.c), at most
                          COVERAGE_MAX_MARKS */
    size_t del_count, del_cap;
    uint64_t del_total; /* all deleted, kept or not */
    span *spans;
    size_t span_count, span_cap;
    idrun *runs; /* event logs: EventRecordID runs, in reading order */
    size_t run_count, run_cap;
    clear_mark *clears; /* event logs: when the channel was cleared */
    size_t clear_count, clear_cap;
    bool marks_cut;      /* runs or clears beyond COVERAGE_MAX_MARKS dropped */
    uint64_t snap_files; /* files read from shadow copies (not as live) */
} coverage_acc;

/* The coverage of one IIS site: family "iis:W3SVC<n>". */
typedef struct site_cov {
    char *name;
    coverage_acc acc;
} site_cov;

/* One build the unit's Exchange logs show (their "#Version:" headers, the
 * "S:BLD=" values of ECP rows), with the times of the first and last
 * records that show it: the unit's build timeline (build_log.c). */
typedef struct log_build {
    uint16_t v[4];
    int64_t first_ms, last_ms;
    char *path;         /* source.path of the file that showed it last */
    char *windows_path; /* its Windows path, or NULL */
    const char *source; /* static: how that file showed it (LOG_SOURCE_*) */
    unsigned sources;   /* every way logs showed it: 1 header, 2 ECP rows */
} log_build;

/* How a log showed a build: its "#Version:" header, or the "S:BLD="
 * values of its ECP rows. */
#define LOG_SOURCE_HEADER "log-header"
#define LOG_SOURCE_ECP    "ecp-row"

/* Distinct builds a unit's timeline keeps (hostile logs may name many). */
#define LOG_BUILDS_MAX 64

typedef struct unit {
    char *root;      /* "." or the child folder/archive name */
    size_t root_len; /* 0 for "." */
    char *host;      /* best host name so far, or NULL */
    int host_rank;   /* 0 client_info, 1 logs, 2 none yet */
    char *host_path; /* tie-break: smallest path, then line */
    uint64_t host_line;
    flist plain; /* findings written one by one */
    flist agg;   /* aggregated findings */
    aggmap aggs;
    coverage_acc cov[FAM__COUNT]; /* FAM_IIS's stays empty: see sites */
    site_cov *sites;
    size_t site_count;
    uint64_t entries, scanned, skipped, unreadable, bad_records;
    uint64_t outside_window;   /* log files dated out of --since/--until */
    uint64_t records;          /* log records read */
    uint64_t prefilter_passed; /* records the pre-filter sent to rules */
    uint64_t files_scanned;    /* files read whole for hashing and rules */
    uint64_t suppressed;       /* findings over the per-rule cap */
    uint64_t suppressed_tried; /* the attempt rows those held */
    exh_error *errors;
    size_t error_count;
    uint64_t errors_omitted;
    bool failed;             /* the unit itself could not be read */
    bool volume_root;        /* its root is a mounted volume's root */
    bool drive_folders;      /* a KAPE collection: the one-letter folders at its
                                root are drive folders (C/, D/) */
    bool image;              /* a disk image: "volN/" folders are volumes */
    struct triage *triage;   /* $MFT, $UsnJrnl:$J, $SDS of a collection */
    build_cand build;        /* the best build number found (build_detect.c) */
    exh_build *build_result; /* its lookup, made by build_unit_findings */
    log_build *log_builds;   /* the build timeline, in no order */
    size_t log_build_count;
    const char *log_build_source; /* LOG_SOURCE_* of u->build from logs */
    struct shadow *shadow;        /* what --shadows adds (shadow.c), or NULL */
    unsigned cur_snap; /* snapshot of the entry being read, 0: live */
    /* the entry being read is a snapshot's, and the live volume holds a
     * file at its Windows path at least as long (SHADOW_LONGER) */
    bool cur_longer;
} unit;

/* finding.c */
void flist_free(flist *l);
/* The rule facts of a finding, whichever kind of rule made it. */
const char *finding_rule_name(const exh_ruleset *rs, const ifinding *f);
exh_severity finding_severity(const exh_ruleset *rs, const ifinding *f);
exh_category finding_category(const exh_ruleset *rs, const ifinding *f);
const char *finding_title(const exh_ruleset *rs, const ifinding *f);
/* Adds f to the unit: aggregated when its rule and category allow (DESIGN
 * count rules), else appended. Takes ownership of f's strings. */
exh_status finding_add(unit *u, const exh_ruleset *rs, ifinding *f,
                       const char *client);
/* Orders the unit's findings, applies the per-rule cap, and returns them in
 * output order in *out (count in *count), moving them out of u. */
exh_status finding_finish(unit *u, const exh_ruleset *rs, ifinding **out,
                          size_t *count);
void ifinding_free(ifinding *f);
/* Appends copies of key and of len bytes of value (a NUL is added) to f's
 * evidence; the caller made room in f->evidence. On EXH_ERR_NOMEM nothing
 * is added and nothing leaks. */
EXH_NODISCARD exh_status finding_evidence_add(ifinding *f, const char *key,
                                              const char *value, size_t len);
/* The same, but a value over max bytes is cut at a character boundary and
 * marked: "...AAAA" EXH_TRUNCATED_MARK "4101 bytes]" (exhunt.h). */
EXH_NODISCARD exh_status finding_evidence_add_cut(ifinding *f, const char *key,
                                                  const char *value, size_t len,
                                                  size_t max);
void aggmap_free(aggmap *m);

/* shadow.c: volume shadow copies of a disk image's unit (--shadows) */
#define SHADOW_MAX 63 /* snapshots per unit (bits of ifinding.seen) */
typedef struct shadow shadow;
enum {
    SHADOW_READ = 0, /* read the entry (*snap says from where) */
    SHADOW_SAME,     /* the same file as live: not read again */
    SHADOW_LONGER,   /* read it, unless it is a log that begins the live
                        file at its path, at least as long (shadow_prefix) */
    SHADOW_OVER,     /* beyond SHADOW_MAX snapshots: not read; say so once */
    SHADOW_SKIP,     /* beyond SHADOW_MAX, said already */
    SHADOW_NOMEM,
};
/* Files an image entry with NTFS facts n at Windows path wp; *snap is
 * its snapshot number (0 live). Live entries are remembered. */
int shadow_entry(unit *u, const entry_ntfs *n, const char *wp, uint64_t size,
                 int64_t modified_ms, unsigned *snap);
/* Files snapshot k's log at Windows path wp as the first bytes of the live
 * file at that path (lines: its '\n' count): it is not read, and the live
 * findings of that path from its first lines add snapshot k to seen_in. */
exh_status shadow_prefix(unit *u, const char *wp, unsigned k, uint64_t lines);
/* Adds "path: message" to the unit's notes (summary.notes). */
exh_status shadow_add_note(unit *u, const char *path, const char *message);
const char *const *shadow_notes(const unit *u, size_t *count);
/* Merges findings identical across live and snapshots, adds seen_in for
 * files a snapshot holds unchanged, and the planted-then-removed findings
 * (before finding_finish). */
exh_status shadow_finish(unit *u, const exh_ruleset *rs);
/* seen_in strings of a seen mask into out (at most SHADOW_MAX + 1), times
 * formatted into times[]. */
size_t shadow_seen_in(const unit *u, uint64_t seen, const char **out,
                      char (*times)[32]);
int64_t shadow_time(const unit *u, unsigned k);
const char *shadow_label(const unit *u, unsigned k);
void shadow_free(shadow *sh);

/* build_scan.c */
/* Looks up the unit's build (u->build_result) and adds one finding of
 * category vulnerable per covered CVE it leaves open. */
exh_status build_unit_findings(unit *u, const exh_ruleset *rs);
/* The first mitigation (MITIGATION_* bit index) found in u that covers
 * cve, or -1. */
int build_unit_mitigation(const unit *u, const char *cve);

/* build_log.c */
/* Build table lookups kept while judging (a few distinct builds). */
#define BUILD_LOOKUPS_CACHED 16
typedef struct build_lookups {
    uint16_t v[BUILD_LOOKUPS_CACHED][4];
    exh_build *b[BUILD_LOOKUPS_CACHED]; /* NULL: no covered product */
    size_t count;
    exh_build *spare; /* the last lookup past the cache */
} build_lookups;
void build_lookups_free(build_lookups *c);
/* Judges a finding not yet added by the build its record or file names
 * (f->logged_by); see log_build_judge(). c: the caller's cache. */
exh_status log_build_judge_record(const exh_ruleset *rs, ifinding *f,
                                  build_lookups *c);
/* Notes that a log file of the unit shows build v (source: LOG_SOURCE_*)
 * over records from first_ms to last_ms (the caller holds the unit's
 * lock). */
exh_status log_build_note(unit *u, const uint16_t v[4], int64_t first_ms,
                          int64_t last_ms, const char *path,
                          const char *windows_path, const char *source);
/* The unit's timeline oldest first (first seen, then build) into out,
 * which has room for LOG_BUILDS_MAX; returns the count. */
size_t log_build_sorted(const unit *u, const log_build **out);
/* The same over any timeline: items (count of them, at most
 * LOG_BUILDS_MAX) grown by log_timeline_add(), which log_build_note() and
 * exh_build_detect() use; log_timeline_free() frees them. */
exh_status log_timeline_add(log_build **items, size_t *count,
                            const uint16_t v[4], int64_t first_ms,
                            int64_t last_ms, const char *path,
                            const char *windows_path, const char *source);
size_t log_timeline_sorted(const log_build *items, size_t count,
                           const log_build **out);
void log_timeline_free(log_build *items, size_t count);
/* Offers the latest build of a timeline to c (BUILD_RANK_LOG) with the
 * sentence of build.source; *source gets its LOG_SOURCE_* when it wins. */
exh_status log_timeline_offer(build_cand *c, const log_build *items,
                              size_t count, const char **source);
/* Builds of the timeline the summary lists (build.source, build.timeline). */
#define LOG_BUILDS_LISTED 8
/* Offers the latest build of the timeline to u->build (BUILD_RANK_LOG). */
exh_status log_build_offer(unit *u);
/* Judges the unit's exploitation findings from log records that name no
 * build of their own against the unit's timeline: one whose every CVE the
 * build of its time had fixed becomes an attempt (severity low) and says
 * so in its evidence. */
exh_status log_build_judge(unit *u, const exh_ruleset *rs);
void log_builds_free(unit *u);

/* summary.c */
exh_status coverage_add_spans(coverage_acc *c, const span *spans, size_t count);
/* Notes one record time in c's spans (one span per minute with records);
 * on failure the coverage only gets coarser. */
void coverage_note_time(coverage_acc *c, int64_t t);
/* Notes one event record's EventRecordID and time: extends the last run
 * when id follows it, else starts a new run. */
void coverage_note_id(coverage_acc *c, uint64_t id, int64_t t);
/* Notes a cleared-log event of the channel c covers. */
void coverage_note_clear(coverage_acc *c, uint64_t record, int64_t t);
/* Adds everything from (spans, runs, clears, counts) into c. */
exh_status coverage_merge(coverage_acc *c, const coverage_acc *from);
/* Notes a log file the USN journal saw deleted at at_ms; its name (a base
 * name) dates the span it held. */
void coverage_note_deleted(coverage_acc *c, const char *name, int64_t at_ms);
/* Frees c's arrays (not c). */
void coverage_acc_free(coverage_acc *c);
/* Fills s (strings owned by the returned holder, freed by summary_free). */
typedef struct summary_holder summary_holder;
exh_status summary_build(const exh_ruleset *rs, const char *target, unit *u,
                         const ifinding *fs, size_t count, summary_holder **out,
                         const exh_summary **s);
void summary_free(summary_holder *h);

/* correlate.c */
/* The links between a unit's findings (fs in output order; finding i gets
 * the id "f-" first_id + i + 1): related ids, incidents and the pivot. */
typedef struct correlation correlation;
exh_status correlate_unit(const exh_ruleset *rs, const ifinding *fs,
                          size_t count, uint64_t first_id, correlation **out);
/* The related ids of finding i (owned by c); *n is 0 when none. */
const char *const *correlation_related(const correlation *c, size_t i,
                                       size_t *n);
/* Points s's incidents and pivot at c's (valid while c lives). */
void correlation_fill(const correlation *c, exh_summary *s);
void correlation_free(correlation *c);

/* scanner.c, for tests: with the gate off, readers run no pre-filter and
 * every record meets every rule of its family, as the gate must let the
 * ones that can match through (test_scanner compares the findings). */
void scanner_set_gate(exh_scanner *sc, bool on);

/* scanner.c, for triage.c */
/* True when a Windows path lies in the drop zones of its volume, or in a
 * web folder (inetpub, the Exchange web applications). */
bool scanner_in_drop_zone(const char *wp);
bool scanner_in_web_folder(const char *wp);
/* The coverage of a log family fam for a log at path ('/'-separated; IIS:
 * its W3SVC<n> folder names the site). The caller holds no lock (the
 * walk and the workers are done). NULL when out of memory. */
coverage_acc *scanner_log_coverage(unit *u, const char *path, log_family fam);
/* Records a problem with an entry in u's errors (no lock: after the walk). */
void scanner_unit_error(unit *u, const char *path, const char *message);

/* triage.c: the NTFS metadata files of a triage collection */
typedef struct triage triage;
enum { TRIAGE_MFT = 1, TRIAGE_USN, TRIAGE_SDS };
/* True when a base name is a collected $MFT, $UsnJrnl:$J ("%3A" too) or
 * $Secure:$SDS; *kind says which. */
bool triage_metadata_kind(const char *base, int *kind);
/* Reads one of them (entry path, display path, kind, the drive letter of
 * its folder or '?') into *t, made on first use. A problem worth an error
 * line goes to problem ("" when none). EXH_ERR_NOMEM only. */
exh_status triage_take(triage **t, const char *path, const char *display,
                       int kind, char drive, stream *in, char *problem,
                       size_t problem_len);
/* Notes that the collection holds a copy of the page at windows_path. */
exh_status triage_note_collected(triage **t, const char *windows_path);
/* Judges what was read: findings and coverage go to u. */
exh_status triage_finish(triage *t, const exh_ruleset *rs, unit *u);
void triage_free(triage *t);

#endif
