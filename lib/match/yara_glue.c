/* SPDX-License-Identifier: Apache-2.0 */
/*
 * yara_glue.c - libyara behind the yara_* interface of internal.h; the only
 * file that includes <yara.h>.
 *
 * libyara is loaded (lazylib.h) and initialised when a set first needs it:
 * to check a user's text, to compile, or for yara_pe_version(). Adding our
 * built-in texts needs neither, so a scan of logs alone never loads it.
 *
 * A set keeps the rule texts it accepts and compiles them all together on
 * first use (yara_set_ready(): the first scanner, a listing, or an explicit
 * yara_set_compile()), so a scan that meets no file to match never pays for
 * compiling. libyara's compiler is unusable after an error, so every user
 * text is first compiled in a throwaway compiler (together with the texts
 * already accepted in its namespace, so that duplicate names are caught
 * there too); only texts that compile are kept. Our built-in texts are
 * trusted (tests compile them) and skip that step, which would otherwise be
 * quadratic in their shared namespace; their rules are counted by reading
 * the text. Every compiler defines the five external variables LOKI and
 * THOR give (filename, filepath, extension, filetype, owner) as "". The
 * compiled YR_RULES are shared read-only; each thread scans with its own
 * yara_scan (a YR_SCANNER), which sets the externals before every scan.
 */
#define LAZY_YARA 1
#include "internal.h"
#include "lazylib.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Largest rule file read by yara_set_add_file(). */
#define YARA_MAX_FILE (16u * 1024 * 1024)
/* Largest error message kept for one text. */
#define YARA_MAX_MSG 4096
/* Tags passed per hit (more are dropped). */
#define YARA_MAX_TAGS 32

/* The externals every compiler defines. */
static const char *const externals[] = {"filename", "filepath", "extension",
                                        "filetype", "owner"};
#define EXTERNAL_COUNT (sizeof(externals) / sizeof(externals[0]))

/* yr_initialize() reference count: libyara's own is not thread-safe. */
static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long init_count;
/* Whether loading libyara failed (lazy_yara_load() then says why). */
static atomic_bool load_failed;

static exh_status status_of(int err);

/* Loads libyara and counts one more user of yr_initialize(). */
static exh_status yara_hold(void)
{
    if (lazy_yara_load() != NULL) {
        atomic_store(&load_failed, true);
        return EXH_ERR_ENGINE;
    }
    pthread_mutex_lock(&init_lock);
    int err = init_count == 0 ? yr_initialize() : ERROR_SUCCESS;
    if (err == ERROR_SUCCESS)
        init_count++;
    pthread_mutex_unlock(&init_lock);
    return status_of(err);
}

/* Ends one yara_hold(); the last ends libyara's state. */
static void yara_release(void)
{
    pthread_mutex_lock(&init_lock);
    if (init_count > 0 && --init_count == 0)
        yr_finalize();
    pthread_mutex_unlock(&init_lock);
}

const char *yara_load_error(void)
{
    // Only after a failed load: asking must not load it.
    return atomic_load(&load_failed) ? lazy_yara_load() : NULL;
}

/* One text added to a set. */
typedef struct yara_text {
    char *ns;
    char *source;
    char *text;   /* NUL-terminated; freed once compiled */
    size_t rules; /* rules it declares, in compile order */
} yara_text;

enum { SET_OPEN, SET_READY, SET_FAILED };

struct yara_set {
    YR_RULES *rules; /* once compiled */
    yara_text *texts;
    size_t text_count, text_cap;
    size_t declared;          /* rules of the texts accepted */
    const char **rule_source; /* per rule of rules_table: its source */
    size_t rule_count;        /* rules compiled */
    pthread_mutex_t lock;     /* held while compiling */
    atomic_int state;         /* SET_OPEN until compiled */
    exh_status failure;       /* when SET_FAILED */
    bool held;                /* yara_hold() done for it */
};

struct yara_scan {
    const yara_set *ys;
    YR_SCANNER *scanner;
    yara_hit_cb cb;
    void *user;
    const char *tags[YARA_MAX_TAGS];
};

/* Error messages collected by a compiler callback. */
typedef struct compile_errors {
    buf msg;
    const char *source;
    size_t count;
} compile_errors;

static void compiler_cb(int level, const char *file, int line,
                        const YR_RULE *rule, const char *message, void *user)
{
    compile_errors *ce = user;
    (void)rule;
    if (level != YARA_ERROR_LEVEL_ERROR)
        return; // warnings ("slowing down scanning") are not reported
    if (ce->count++ > 0)
        (void)buf_puts(&ce->msg, "; ");
    if (!message)
        message = "error";
    (void)buf_printf(&ce->msg, "%s:%d: %s", file ? file : ce->source, line,
                     message);
    // Modules added after 4.2 ("string", ...) are unknown here: say so.
    if (strstr(message, "unknown module"))
        (void)buf_puts(&ce->msg, " (not in libyara " YR_VERSION ")");
}

static exh_status status_of(int err)
{
    switch (err) {
    case ERROR_SUCCESS:
        return EXH_OK;
    case ERROR_INSUFFICIENT_MEMORY:
        return EXH_ERR_NOMEM;
    case ERROR_SCAN_TIMEOUT:
        return EXH_ERR_TIMEOUT;
    default:
        return EXH_ERR_ENGINE;
    }
}

/* A compiler with the externals defined, includes disabled and errors
 * going to ce. */
static exh_status new_compiler(YR_COMPILER **out, compile_errors *ce)
{
    YR_COMPILER *c;
    int err = yr_compiler_create(&c);
    if (err != ERROR_SUCCESS)
        return status_of(err);
    yr_compiler_set_include_callback(c, NULL, NULL, NULL);
    for (size_t i = 0; i < EXTERNAL_COUNT; i++) {
        err = yr_compiler_define_string_variable(c, externals[i], "");
        if (err != ERROR_SUCCESS) {
            yr_compiler_destroy(c);
            return status_of(err);
        }
    }
    yr_compiler_set_callback(c, compiler_cb, ce);
    *out = c;
    return EXH_OK;
}

static size_t count_rules(YR_RULES *rules)
{
    size_t n = 0;
    YR_RULE *r;
    yr_rules_foreach(rules, r) n++;
    return n;
}

exh_status yara_set_new(yara_set **out)
{
    *out = NULL;
    yara_set *ys = exh_calloc(1, sizeof(*ys));
    if (!ys)
        return EXH_ERR_NOMEM;
    pthread_mutex_init(&ys->lock, NULL);
    atomic_init(&ys->state, SET_OPEN);
    *out = ys;
    return EXH_OK;
}

/* libyara loaded and initialised for ys, once (yara_set_free() ends it);
 * called while adding texts, or under ys->lock. */
static exh_status set_hold(yara_set *ys)
{
    if (!ys->held) {
        EXH_TRY(yara_hold());
        ys->held = true;
    }
    return EXH_OK;
}

/* Rules a trusted text declares: lines that start (after blanks) with
 * "rule", "private rule" or "global rule" followed by a blank. Our rule
 * files are written so; a unit test holds the count to libyara's. */
/* Whether p starts with word and a blank; moves p past the blanks. */
static bool word_at(const char **p, const char *word)
{
    size_t n = strlen(word);
    if (strncmp(*p, word, n) != 0 || ((*p)[n] != ' ' && (*p)[n] != '\t'))
        return false;
    *p += n;
    while (**p == ' ' || **p == '\t')
        (*p)++;
    return true;
}

static size_t declared_rules(const char *text)
{
    size_t n = 0;
    for (const char *p = text; *p;) {
        while (*p == ' ' || *p == '\t')
            p++;
        while (word_at(&p, "private") || word_at(&p, "global"))
            ;
        if (word_at(&p, "rule"))
            n++;
        const char *nl = strchr(p, '\n');
        if (!nl)
            break;
        p = nl + 1;
    }
    return n;
}

/* Compiles the texts already accepted in ns, then text, in a throwaway
 * compiler. Returns EXH_OK with *rules (the rules text declares), or
 * EXH_ERR_RULE_SYNTAX with ce filled. */
static exh_status try_compile(const yara_set *ys, const char *text,
                              const char *ns, compile_errors *ce, size_t *rules)
{
    YR_COMPILER *c;
    size_t before = 0;
    EXH_TRY(new_compiler(&c, ce));
    const char *src = ce->source;
    for (size_t i = 0; i < ys->text_count; i++) {
        const yara_text *t = &ys->texts[i];
        if (strcmp(t->ns, ns) != 0)
            continue;
        ce->source = t->source;
        before += t->rules;
        if (yr_compiler_add_string(c, t->text, ns) != 0)
            break; // cannot happen: it compiled before
    }
    ce->source = src;
    exh_status st = EXH_OK;
    if (ce->count == 0 && yr_compiler_add_string(c, text, ns) == 0) {
        YR_RULES *r;
        int err = yr_compiler_get_rules(c, &r);
        if (err == ERROR_SUCCESS) {
            size_t n = count_rules(r);
            *rules = n >= before ? n - before : 0;
            yr_rules_destroy(r);
        }
        st = status_of(err);
    } else {
        st = EXH_ERR_RULE_SYNTAX;
        if (ce->count == 0)
            (void)buf_printf(&ce->msg, "%s: does not compile", src);
    }
    yr_compiler_destroy(c);
    return st;
}

static void set_msg(char **msg, compile_errors *ce)
{
    if (msg && ce->msg.data) {
        *msg = ce->msg.data;
        ce->msg.data = NULL;
    }
    buf_free(&ce->msg);
}

/* Takes ownership of text (NUL-terminated). A trusted text (our built-in
 * rules, tested to compile) skips the throwaway compile. */
static exh_status add_owned(yara_set *ys, char *text, const char *ns,
                            const char *source, bool trusted, char **msg)
{
    compile_errors ce = {.source = source};
    buf_init(&ce.msg, YARA_MAX_MSG);
    yara_text t = {.text = text};
    size_t rules = 0;
    exh_status st = EXH_OK;
    if (trusted) {
        rules = declared_rules(text);
    } else if ((st = set_hold(ys)) != EXH_OK) {
        const char *why = yara_load_error();
        (void)buf_printf(&ce.msg, "%s: %s", source,
                         why ? why : "libyara cannot be initialised");
    } else {
        st = try_compile(ys, text, ns, &ce, &rules);
    }
    if (st != EXH_OK)
        goto out;
    if (ys->text_count == ys->text_cap) {
        size_t cap = ys->text_cap ? ys->text_cap * 2 : 16, bytes;
        if (__builtin_mul_overflow(cap, sizeof(yara_text), &bytes)) {
            st = EXH_ERR_NOMEM;
            goto out;
        }
        yara_text *p = exh_realloc(ys->texts, bytes);
        if (!p) {
            st = EXH_ERR_NOMEM;
            goto out;
        }
        ys->texts = p;
        ys->text_cap = cap;
    }
    t.ns = exh_strdup(ns);
    t.source = exh_strdup(source);
    t.rules = rules;
    if (!t.ns || !t.source) {
        st = EXH_ERR_NOMEM;
        goto out;
    }
    ys->texts[ys->text_count++] = t;
    ys->declared += rules;
    buf_free(&ce.msg);
    return EXH_OK;
out:
    exh_free(t.ns);
    exh_free(t.source);
    exh_free(text);
    set_msg(msg, &ce);
    return st;
}

static exh_status add_text(yara_set *ys, const char *text, size_t len,
                           const char *ns, const char *source, bool trusted,
                           char **msg)
{
    if (msg)
        *msg = NULL;
    if (!ys || atomic_load(&ys->state) != SET_OPEN || !ns || !source ||
        (!text && len))
        return EXH_ERR_INVALID_ARG;
    if (len && memchr(text, '\0', len)) {
        if (msg) {
            buf b;
            buf_init(&b, YARA_MAX_MSG);
            (void)buf_printf(&b, "%s: NUL byte in rule text", source);
            *msg = b.data;
        }
        return EXH_ERR_RULE_SYNTAX;
    }
    char *copy = exh_strndup(text ? text : "", len);
    if (!copy)
        return EXH_ERR_NOMEM;
    return add_owned(ys, copy, ns, source, trusted, msg);
}

exh_status yara_set_add_text(yara_set *ys, const char *text, size_t len,
                             const char *ns, const char *source, char **msg)
{
    return add_text(ys, text, len, ns, source, false, msg);
}

exh_status yara_set_add_trusted(yara_set *ys, const char *text, size_t len,
                                const char *ns, const char *source, char **msg)
{
    return add_text(ys, text, len, ns, source, true, msg);
}

/* Sets *msg to "PATH: what" (errno's text when err is not 0). */
static void file_msg(char **msg, const char *path, const char *what, int err)
{
    if (!msg)
        return;
    char ebuf[128];
    buf b;
    buf_init(&b, YARA_MAX_MSG);
    if (err)
        (void)buf_printf(&b, "%s: %s: %s", path, what,
                         strerror_r(err, ebuf, sizeof(ebuf)));
    else
        (void)buf_printf(&b, "%s: %s", path, what);
    *msg = b.data;
}

exh_status yara_set_add_file(yara_set *ys, const char *path, char **msg)
{
    if (msg)
        *msg = NULL;
    if (!ys || atomic_load(&ys->state) != SET_OPEN || !path)
        return EXH_ERR_INVALID_ARG;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        file_msg(msg, path, "cannot open", errno);
        return EXH_ERR_IO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        file_msg(msg, path, "not a regular file", 0);
        close(fd);
        return EXH_ERR_IO;
    }
    if (st.st_size < 0 || (uint64_t)st.st_size > YARA_MAX_FILE) {
        file_msg(msg, path, "rule file larger than 16 MiB", 0);
        close(fd);
        return EXH_ERR_LIMIT;
    }
    size_t cap = (size_t)st.st_size + 1, len = 0;
    char *text = exh_malloc(cap);
    if (!text) {
        close(fd);
        return EXH_ERR_NOMEM;
    }
    // Read at most cap - 1 bytes even if the file grows meanwhile.
    while (len < cap - 1) {
        ssize_t n = read(fd, text + len, cap - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            exh_free(text);
            file_msg(msg, path, "cannot read", e);
            return EXH_ERR_IO;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    text[len] = '\0';
    if (memchr(text, '\0', len)) {
        exh_free(text);
        file_msg(msg, path, "NUL byte in rule file (binary or UTF-16?)", 0);
        return EXH_ERR_RULE_SYNTAX;
    }
    return add_owned(ys, text, path, path, false, msg);
}

/* Compiles every text in one compiler; caller holds ys->lock. */
static exh_status compile_all(yara_set *ys)
{
    EXH_TRY(set_hold(ys));
    compile_errors ce = {.source = "exhunt"};
    buf_init(&ce.msg, YARA_MAX_MSG);
    YR_COMPILER *c;
    exh_status st = new_compiler(&c, &ce);
    if (st != EXH_OK) {
        buf_free(&ce.msg);
        return st;
    }
    for (size_t i = 0; i < ys->text_count; i++) {
        yara_text *t = &ys->texts[i];
        uint32_t first = c->next_rule_idx;
        ce.source = t->source;
        // User texts compiled before; a built-in one that fails is a bug.
        if (yr_compiler_add_string(c, t->text, t->ns) != 0) {
            yr_compiler_destroy(c);
            buf_free(&ce.msg);
            return EXH_ERR_RULE_SYNTAX;
        }
        t->rules = c->next_rule_idx - first;
    }
    buf_free(&ce.msg);
    int err = yr_compiler_get_rules(c, &ys->rules);
    yr_compiler_destroy(c);
    if (err != ERROR_SUCCESS) {
        ys->rules = NULL;
        return status_of(err);
    }
    ys->rule_count = count_rules(ys->rules);
    // Rules are laid out in the order they were added: text i owns the
    // next texts[i].rules entries of rules_table.
    if (ys->rule_count) {
        ys->rule_source = exh_calloc(ys->rule_count, sizeof(char *));
        if (!ys->rule_source)
            return EXH_ERR_NOMEM;
    }
    size_t r = 0;
    for (size_t i = 0; i < ys->text_count; i++) {
        for (size_t k = 0; k < ys->texts[i].rules && r < ys->rule_count; k++)
            ys->rule_source[r++] = ys->texts[i].source;
        exh_free(ys->texts[i].text);
        ys->texts[i].text = NULL;
    }
    return EXH_OK;
}

exh_status yara_set_ready(const yara_set *cys)
{
    if (!cys)
        return EXH_ERR_INVALID_ARG;
    // The set is immutable to its users; compiling fills it in once.
    yara_set *ys = (yara_set *)cys;
    int state = atomic_load(&ys->state);
    if (state == SET_READY)
        return EXH_OK;
    pthread_mutex_lock(&ys->lock);
    state = atomic_load(&ys->state);
    if (state == SET_OPEN) {
        ys->failure = compile_all(ys);
        state = ys->failure == EXH_OK ? SET_READY : SET_FAILED;
        atomic_store(&ys->state, state);
    }
    exh_status st = state == SET_READY ? EXH_OK : ys->failure;
    pthread_mutex_unlock(&ys->lock);
    return st;
}

exh_status yara_set_compile(yara_set *ys)
{
    return yara_set_ready(ys);
}

size_t yara_set_count(const yara_set *ys)
{
    return ys ? ys->declared : 0;
}

void yara_set_free(yara_set *ys)
{
    if (!ys)
        return;
    pthread_mutex_destroy(&ys->lock);
    if (ys->rules)
        yr_rules_destroy(ys->rules);
    for (size_t i = 0; i < ys->text_count; i++) {
        exh_free(ys->texts[i].ns);
        exh_free(ys->texts[i].source);
        exh_free(ys->texts[i].text);
    }
    exh_free(ys->texts);
    exh_free(ys->rule_source);
    if (ys->held)
        yara_release();
    exh_free(ys);
}

exh_status yara_scan_new(const yara_set *ys, yara_scan **out)
{
    *out = NULL;
    if (!ys)
        return EXH_ERR_INVALID_ARG;
    EXH_TRY(yara_set_ready(ys));
    yara_scan *sc = exh_calloc(1, sizeof(*sc));
    if (!sc)
        return EXH_ERR_NOMEM;
    sc->ys = ys;
    // The scanner only reads the rules: the const is cast away for the API.
    int err = yr_scanner_create((YR_RULES *)ys->rules, &sc->scanner);
    if (err != ERROR_SUCCESS) {
        exh_free(sc);
        return status_of(err);
    }
    yr_scanner_set_flags(sc->scanner, SCAN_FLAGS_REPORT_RULES_MATCHING);
    *out = sc;
    return EXH_OK;
}

void yara_scan_free(yara_scan *sc)
{
    if (!sc)
        return;
    yr_scanner_destroy(sc->scanner);
    exh_free(sc);
}

/* Fills hit's rule facts: name, namespace, source, metas. */
static void fill_rule(const yara_set *ys, const YR_RULE *rule, yara_hit *hit)
{
    memset(hit, 0, sizeof(*hit));
    hit->rule = rule->identifier;
    hit->ns = rule->ns ? rule->ns->name : "";
    hit->source = hit->ns;
    size_t idx = (size_t)(rule - ys->rules->rules_table);
    if (ys->rule_source && idx < ys->rule_count && ys->rule_source[idx])
        hit->source = ys->rule_source[idx];
    hit->score = -1;

    YR_META *meta;
    yr_rule_metas_foreach(rule, meta)
    {
        const char *id = meta->identifier;
        if (meta->type == META_TYPE_INTEGER) {
            if (strcmp(id, "score") == 0)
                hit->score = meta->integer;
            continue;
        }
        if (meta->type != META_TYPE_STRING)
            continue;
        if (strcmp(id, "author") == 0 && !hit->author)
            hit->author = meta->string;
        else if (strcmp(id, "description") == 0 && !hit->description)
            hit->description = meta->string;
        else if (strcmp(id, "exhunt_category") == 0 && !hit->category)
            hit->category = meta->string;
        else if (strcmp(id, "exhunt_severity") == 0 && !hit->severity)
            hit->severity = meta->string;
        else if (strcmp(id, "cve") == 0 && !hit->cve)
            hit->cve = meta->string;
    }
}

bool yara_set_rule(const yara_set *ys, size_t i, yara_hit *out)
{
    if (!ys || yara_set_ready(ys) != EXH_OK || i >= ys->rule_count)
        return false;
    fill_rule(ys, &ys->rules->rules_table[i], out);
    return true;
}

/* Fills hit from a matching rule. */
static void fill_hit(yara_scan *sc, YR_SCAN_CONTEXT *ctx, YR_RULE *rule,
                     yara_hit *hit)
{
    fill_rule(sc->ys, rule, hit);

    const char *tag;
    size_t ntags = 0;
    yr_rule_tags_foreach(rule, tag)
    {
        if (ntags < YARA_MAX_TAGS)
            sc->tags[ntags++] = tag;
    }
    hit->tags = sc->tags;
    hit->tag_count = ntags;

    YR_STRING *s;
    const size_t max = sizeof(hit->string_ids) / sizeof(hit->string_ids[0]);
    yr_rule_strings_foreach(rule, s)
    {
        if (hit->string_count == max)
            break;
        // libyara 4.2 keeps matches sorted by offset in a notebook that
        // does not align them: read the first one with memcpy (UBSan flags
        // member access through a misaligned pointer).
        const YR_MATCH *head = ctx->matches[s->idx].head;
        YR_MATCH m;
        if (!head)
            continue;
        memcpy(&m, head, sizeof(m));
        if (m.is_private)
            continue;
        uint64_t first = (uint64_t)(m.base + m.offset);
        hit->string_ids[hit->string_count] = s->identifier;
        hit->string_offsets[hit->string_count] = first;
        hit->string_count++;
    }
}

static int scan_cb(YR_SCAN_CONTEXT *ctx, int message, void *data, void *user)
{
    yara_scan *sc = user;
    if (message != CALLBACK_MSG_RULE_MATCHING)
        return CALLBACK_CONTINUE;
    yara_hit hit;
    fill_hit(sc, ctx, data, &hit);
    return sc->cb(sc->user, &hit) ? CALLBACK_CONTINUE : CALLBACK_ABORT;
}

exh_status yara_scan_mem(yara_scan *sc, const uint8_t *data, size_t len,
                         const yara_externals *ext, int timeout_s,
                         yara_hit_cb cb, void *user)
{
    if (!sc || !cb || (!data && len) || timeout_s < 0)
        return EXH_ERR_INVALID_ARG;
    static const yara_externals none = {NULL, NULL, NULL, NULL, NULL};
    if (!ext)
        ext = &none;
    const char *values[EXTERNAL_COUNT] = {ext->filename, ext->filepath,
                                          ext->extension, ext->filetype,
                                          ext->owner};
    for (size_t i = 0; i < EXTERNAL_COUNT; i++) {
        int err = yr_scanner_define_string_variable(sc->scanner, externals[i],
                                                    values[i] ? values[i] : "");
        if (err != ERROR_SUCCESS)
            return status_of(err);
    }
    sc->cb = cb;
    sc->user = user;
    yr_scanner_set_callback(sc->scanner, scan_cb, sc);
    yr_scanner_set_timeout(sc->scanner, timeout_s);
    static const uint8_t empty[1];
    int err = yr_scanner_scan_mem(sc->scanner, data ? data : empty, len);
    return status_of(err);
}

/* ---- PE version resources through the pe module ------------------------- */

/* The pe module parses the version resource (fuzzed upstream); the console
 * module hands its strings back through the scan callback. */
static const char pe_version_rule[] =
    "import \"pe\"\nimport \"console\"\n"
    "rule exhunt_pe_version { condition: pe.is_pe and "
    "(console.log(\"F=\", pe.version_info[\"FileVersion\"]) or true) and "
    "(console.log(\"P=\", pe.version_info[\"ProductName\"]) or true) }\n";

typedef struct pe_version_ctx {
    char *version, *product;
    size_t version_size, product_size;
} pe_version_ctx;

static int pe_version_cb(YR_SCAN_CONTEXT *ctx, int message, void *data,
                         void *user)
{
    (void)ctx;
    pe_version_ctx *pv = user;
    if (message != CALLBACK_MSG_CONSOLE_LOG || !data)
        return CALLBACK_CONTINUE;
    const char *text = data;
    if (strncmp(text, "F=", 2) == 0)
        snprintf(pv->version, pv->version_size, "%s", text + 2);
    else if (strncmp(text, "P=", 2) == 0 && pv->product)
        snprintf(pv->product, pv->product_size, "%s", text + 2);
    return CALLBACK_CONTINUE;
}

exh_status yara_pe_version(const uint8_t *data, size_t len, char *version,
                           size_t version_size, char *product,
                           size_t product_size)
{
    YR_COMPILER *c = NULL;
    YR_RULES *rules = NULL;
    pe_version_ctx pv = {version, product, version_size, product_size};
    exh_status st = EXH_OK;

    if (version_size == 0)
        return EXH_ERR_INVALID_ARG;
    version[0] = '\0';
    if (product && product_size)
        product[0] = '\0';
    EXH_TRY(yara_hold());
    int err = yr_compiler_create(&c);
    if (err == ERROR_SUCCESS &&
        yr_compiler_add_string(c, pe_version_rule, NULL) != 0)
        err = ERROR_INTERNAL_FATAL_ERROR;
    if (err == ERROR_SUCCESS)
        err = yr_compiler_get_rules(c, &rules);
    if (err == ERROR_SUCCESS) {
        static const uint8_t empty[1];
        err = yr_rules_scan_mem(rules, data ? data : empty, len, 0,
                                pe_version_cb, &pv, 10);
    }
    if (err != ERROR_SUCCESS)
        st = status_of(err);
    if (rules)
        yr_rules_destroy(rules);
    if (c)
        yr_compiler_destroy(c);
    yara_release();
    if (st == EXH_OK && version[0] == '\0')
        st = EXH_ERR_UNSUPPORTED;
    return st;
}
