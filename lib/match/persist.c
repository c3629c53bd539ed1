/* SPDX-License-Identifier: Apache-2.0 */
/*
 * persist.c - persistence in configuration files: IIS native and managed
 * modules (applicationHost.config, web.config), Exchange transport agents
 * (agents.config) and scheduled tasks (Windows\System32\Tasks XML); and
 * services of a SYSTEM hive (readers/hive.c reads them, persist_service
 * judges them).
 *
 * Each file is walked tag by tag (readers/xmltags.c) and each registration
 * judged by where its code lives and what it names: the known-good lists
 * are data (rules/baselines/), the places attackers put files are the drop
 * zones of DESIGN.md. Hits go to a callback; nothing is allocated.
 */
#include "internal.h"

#include <string.h>

enum { SEC_NONE, SEC_GLOBAL, SEC_MODULES, SEC_FILTERS };

typedef struct pstate {
    const baseline *b;
    persist_cb cb;
    void *user;
    int section;  /* config: the section the walk is in */
    bool in_exec; /* task: inside <Exec> */
    char cmd[1024];
    char args[2048];
    char task[512]; /* task: its RegistrationInfo URI, or "" */
    bool stop;
    const char *key; /* the evidence key of the judged value */
} pstate;

int persist_kind(const char *wp)
{
    const char *base = strrchr(wp, '\\');
    base = base ? base + 1 : wp;
    size_t len = strlen(wp);
    if (util_strcasecmp(base, "applicationHost.config") == 0 ||
        util_strcasecmp(base, "web.config") == 0)
        return PERSIST_IIS;
    if (util_strcasecmp(base, "agents.config") == 0)
        return PERSIST_AGENTS;
    if (util_memcasemem(wp, len, "\\Windows\\System32\\Tasks\\", 24))
        return PERSIST_TASK;
    return PERSIST_NONE;
}

/* Folders attackers wrote to (DESIGN.md, drop zones), as path parts; a
 * path holding one is code no installer puts there. */
static const char *const drop_parts[] = {"\\programdata\\",
                                         "%programdata%",
                                         "\\users\\",
                                         "%userprofile%",
                                         "%public%",
                                         "%appdata%",
                                         "\\temp\\",
                                         "%temp%",
                                         "%tmp%",
                                         "\\perflogs\\",
                                         "\\windows\\help\\",
                                         "\\inetpub\\wwwroot\\",
                                         "\\aspnet_client\\",
                                         "\\recycle",
                                         NULL};
/* Web folders: code run from them is a web shell's doing. */
static const char *const web_parts[] = {"\\inetpub\\", "\\aspnet_client\\",
                                        "\\frontend\\httpproxy\\",
                                        "\\clientaccess\\", NULL};

/* Programs Microsoft installs in drop zones, run by its own tasks. */
static const char *const stock_task_parts[] = {
    "\\ProgramData\\Microsoft\\Windows Defender\\",
    "\\AppData\\Local\\Microsoft\\OneDrive\\", NULL};

static bool has_part(const char *s, size_t len, const char *const *parts)
{
    for (; *parts; parts++)
        if (util_memcasemem(s, len, *parts, strlen(*parts)))
            return true;
    return false;
}

static void hit(pstate *st, const char *rule, const char *title,
                exh_severity sev, exh_category cat, const char *what,
                const char *value, const char *reason)
{
    persist_hit h = {rule,
                     title,
                     sev,
                     cat,
                     {"name", st->key, "reason"},
                     {what, value, reason},
                     3};
    if (!st->cb(st->user, &h))
        st->stop = true;
}

/* The file name of a path (after the last '\' or '/'). */
static const char *base_of(const char *s, size_t len, size_t *blen)
{
    size_t i = len;
    while (i && s[i - 1] != '\\' && s[i - 1] != '/')
        i--;
    *blen = len - i;
    return s + i;
}

/* A native module or ISAPI filter image. */
static void judge_image(pstate *st, const char *name, const char *img)
{
    st->key = "image";
    size_t len = strlen(img), blen;
    const char *base = base_of(img, len, &blen);
    const char *title = "IIS native module or ISAPI filter that IIS, .NET "
                        "and Exchange do not install";
    if (has_part(img, len, drop_parts)) {
        hit(st, "iis_module_in_drop_zone",
            "IIS native module or ISAPI filter loaded from a folder "
            "attackers write to (ProgramData, Users, Temp, web folders)",
            EXH_SEV_HIGH, EXH_CAT_POST_EXPLOITATION, name, img,
            "its DLL lies in a drop zone");
        return;
    }
    if (util_memcasemem(img, len, "\\system32\\inetsrv\\", 18) ||
        util_memcasemem(img, len, "\\syswow64\\inetsrv\\", 18)) {
        if (!baseline_has(st->b, "iis_native_modules", base, blen))
            hit(st, "iis_module_not_stock", title, EXH_SEV_MEDIUM,
                EXH_CAT_SUSPICIOUS, name, img,
                "a DLL in inetsrv that is not one IIS ships");
        return;
    }
    if (util_memcasemem(img, len, "\\Microsoft.NET\\Framework", 24) ||
        util_memcasemem(img, len, "\\Exchange Server\\", 17) ||
        util_memcasemem(img, len, "\\IIS\\Application Request Routing\\", 33) ||
        util_memcasemem(img, len, "\\IIS\\Asp.Net Core Module\\", 26))
        return;
    hit(st, "iis_module_not_stock", title, EXH_SEV_MEDIUM, EXH_CAT_SUSPICIOUS,
        name, img,
        "a DLL outside the IIS, .NET Framework and Exchange folders");
}

/* A managed module's type: "Namespace.Class, Assembly, Version=...,
 * Culture=..., PublicKeyToken=...". */
static void judge_type(pstate *st, const char *name, const char *type)
{
    st->key = "type";
    size_t len = strlen(type);
    bool ok = false;
    for (size_t n = 1; n <= len && !ok; n++)
        if (type[n - 1] == '.')
            ok = baseline_has(st->b, "iis_managed_modules", type, n);
    const char *tok = util_memcasemem(type, len, "PublicKeyToken=", 15);
    if (ok && tok) {
        tok += 15;
        size_t tlen = 0;
        while (tok[tlen] && tok[tlen] != ',' && tok[tlen] != ' ')
            tlen++;
        ok = (tlen == 4 && util_ieq(tok, 4, "null", 4)) ||
             baseline_has(st->b, "microsoft_key_tokens", tok, tlen);
    }
    if (!ok)
        hit(st, "iis_module_not_stock",
            "IIS managed module whose type is not from ASP.NET, IIS or "
            "Exchange",
            EXH_SEV_MEDIUM, EXH_CAT_SUSPICIOUS, name, type,
            "a type outside the System., Microsoft.Exchange. and "
            "Microsoft.Web. namespaces, or not signed by Microsoft");
}

/* Copies an attribute, entities decoded; "" when absent. */
static void attr(const xml_tag *t, const char *name, char *out, size_t cap)
{
    size_t len;
    const char *v = xml_attr_get(t, name, &len);
    if (!v) {
        out[0] = '\0';
        return;
    }
    xml_unescape(v, len, out, cap);
}

static bool on_iis_tag(void *user, const xml_tag *t)
{
    pstate *st = user;
    int sec = xml_name_is(t->name, t->name_len, "globalModules")  ? SEC_GLOBAL
              : xml_name_is(t->name, t->name_len, "modules")      ? SEC_MODULES
              : xml_name_is(t->name, t->name_len, "isapiFilters") ? SEC_FILTERS
                                                                  : SEC_NONE;
    if (sec != SEC_NONE) {
        st->section = t->closing || t->self_closing ? SEC_NONE : sec;
        return true;
    }
    bool add = xml_name_is(t->name, t->name_len, "add");
    bool filter = xml_name_is(t->name, t->name_len, "filter");
    if (t->closing || (!add && !filter) || st->section == SEC_NONE)
        return true;
    char name[256], value[1024];
    attr(t, "name", name, sizeof name);
    if (st->section == SEC_GLOBAL && add) {
        attr(t, "image", value, sizeof value);
        if (value[0])
            judge_image(st, name, value);
    } else if (st->section == SEC_FILTERS && filter) {
        attr(t, "path", value, sizeof value);
        if (value[0])
            judge_image(st, name, value);
    } else if (st->section == SEC_MODULES && add) {
        attr(t, "type", value, sizeof value);
        if (value[0])
            judge_type(st, name, value);
    }
    return !st->stop;
}

static bool on_agent_tag(void *user, const xml_tag *t)
{
    pstate *st = user;
    if (t->closing || !xml_name_is(t->name, t->name_len, "agent"))
        return true;
    char name[256], factory[512], path[1024];
    attr(t, "name", name, sizeof name);
    attr(t, "classFactory", factory, sizeof factory);
    attr(t, "assemblyPath", path, sizeof path);
    size_t len = strlen(path);
    st->key = path[0] ? "assembly_path" : "class_factory";
    if (has_part(path, len, drop_parts)) {
        hit(st, "transport_agent_in_drop_zone",
            "Exchange transport agent loaded from a folder attackers write "
            "to (ProgramData, Users, Temp, web folders)",
            EXH_SEV_HIGH, EXH_CAT_POST_EXPLOITATION, name, path,
            "its assembly lies in a drop zone");
    } else if (strncmp(factory, "Microsoft.Exchange.", 19) != 0 ||
               !util_memcasemem(path, len, "\\TransportRoles\\agents\\", 23)) {
        hit(st, "transport_agent_not_stock",
            "Exchange transport agent that Exchange does not install",
            EXH_SEV_MEDIUM, EXH_CAT_SUSPICIOUS, name, path[0] ? path : factory,
            "its class factory is outside Microsoft.Exchange. or its "
            "assembly outside <install>\\TransportRoles\\agents");
    }
    return !st->stop;
}

/* True when args hold PowerShell's -EncodedCommand under any of the names
 * it accepts: -e, -ec, or any prefix of -encodedcommand, with - or /. */
static bool encoded_switch(const char *args)
{
    static const char full[] = "encodedcommand";
    for (const char *p = args; *p; p++) {
        if ((*p != '-' && *p != '/') ||
            (p != args && p[-1] != ' ' && p[-1] != '\t'))
            continue;
        const char *w = p + 1;
        size_t n = 0;
        while (w[n] && w[n] != ' ' && w[n] != '\t' && w[n] != ':')
            n++;
        if (n == 0 || n > sizeof full - 1)
            continue;
        if ((n == 2 && util_ieq(w, 2, "ec", 2)) || util_ieq(w, n, full, n))
            return true;
    }
    return false;
}

static void judge_task(pstate *st)
{
    char line[3100];
    snprintf(line, sizeof line, "%s%s%s", st->cmd, st->args[0] ? " " : "",
             st->args);
    size_t len = strlen(line), blen;
    size_t clen = strlen(st->cmd);
    st->key = "command";
    const char *base = base_of(st->cmd, clen, &blen);
    bool ps = util_memcasemem(base, blen, "powershell", 10) ||
              util_memcasemem(base, blen, "pwsh", 4);
    if (ps && encoded_switch(st->args)) {
        hit(st, "scheduled_task_encoded_powershell",
            "Scheduled task that runs PowerShell with an encoded command",
            EXH_SEV_HIGH, EXH_CAT_POST_EXPLOITATION, st->task, line,
            "powershell with -EncodedCommand (or a short form)");
    } else if (has_part(line, len, web_parts)) {
        hit(st, "scheduled_task_runs_from_web_folder",
            "Scheduled task that runs code from an IIS or Exchange web folder",
            EXH_SEV_HIGH, EXH_CAT_POST_EXPLOITATION, st->task, line,
            "its command or arguments name a web folder");
    } else if (has_part(line, len, drop_parts) &&
               !has_part(line, len, stock_task_parts)) {
        hit(st, "scheduled_task_runs_from_drop_zone",
            "Scheduled task that runs code from a folder attackers write to "
            "(ProgramData, Users, Temp)",
            EXH_SEV_MEDIUM, EXH_CAT_SUSPICIOUS, st->task, line,
            "its command or arguments name a drop zone");
    }
}

static bool on_task_tag(void *user, const xml_tag *t)
{
    pstate *st = user;
    if (xml_name_is(t->name, t->name_len, "Exec")) {
        if (t->closing && st->in_exec && st->cmd[0])
            judge_task(st);
        st->in_exec = !t->closing && !t->self_closing;
        st->cmd[0] = st->args[0] = '\0';
    } else if (!t->closing && xml_name_is(t->name, t->name_len, "URI")) {
        xml_unescape(t->text, t->text_len, st->task, sizeof st->task);
    } else if (st->in_exec && !t->closing) {
        if (xml_name_is(t->name, t->name_len, "Command"))
            xml_unescape(t->text, t->text_len, st->cmd, sizeof st->cmd);
        else if (xml_name_is(t->name, t->name_len, "Arguments"))
            xml_unescape(t->text, t->text_len, st->args, sizeof st->args);
    }
    return !st->stop;
}

void persist_check(const baseline *b, int kind, const char *text, size_t len,
                   persist_cb cb, void *user)
{
    pstate st;
    memset(&st, 0, sizeof st);
    st.b = b;
    st.cb = cb;
    st.user = user;
    if (kind == PERSIST_IIS)
        xml_walk(text, len, on_iis_tag, &st);
    else if (kind == PERSIST_AGENTS)
        xml_walk(text, len, on_agent_tag, &st);
    else if (kind == PERSIST_TASK)
        xml_walk(text, len, on_task_tag, &st);
}

/* The program of a command line: the quoted first token, or up to the
 * first space; its length. */
static size_t program_len(const char *line, const char **start)
{
    const char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '"') {
        p++;
        const char *q = strchr(p, '"');
        *start = p;
        return q ? (size_t)(q - p) : strlen(p);
    }
    size_t n = 0;
    while (p[n] && p[n] != ' ' && p[n] != '\t')
        n++;
    *start = p;
    return n;
}

/* True when the program base name is one of names (with or without .exe). */
static bool program_is(const char *base, size_t blen, const char *const *names)
{
    for (; *names; names++) {
        size_t n = strlen(*names);
        if ((blen == n && util_ieq(base, blen, *names, n)) ||
            (blen == n + 4 && util_ieq(base, n, *names, n) &&
             util_ieq(base + n, 4, ".exe", 4)))
            return true;
    }
    return false;
}

void persist_service(const char *name, const char *image, const char *dll,
                     persist_cb cb, void *user)
{
    static const char *const shells[] = {"cmd",  "%comspec%", "powershell",
                                         "pwsh", "mshta",     NULL};
    pstate st;
    memset(&st, 0, sizeof st);
    st.cb = cb;
    st.user = user;
    const char *prog;
    size_t plen = program_len(image, &prog), blen;
    const char *base = base_of(prog, plen, &blen);
    size_t ilen = strlen(image), dlen = strlen(dll);
    if (image[0] && program_is(base, blen, shells)) {
        st.key = "image_path";
        bool ps = util_memcasemem(image, ilen, "powershell", 10) ||
                  util_memcasemem(image, ilen, "pwsh", 4);
        hit(&st, "service_runs_shell",
            "Service that runs a command shell or PowerShell (a service "
            "created to run attacker commands)",
            EXH_SEV_HIGH, EXH_CAT_POST_EXPLOITATION, name, image,
            ps && encoded_switch(image)
                ? "its ImagePath runs PowerShell with -EncodedCommand"
                : "its ImagePath runs cmd, PowerShell or mshta; Windows and "
                  "Exchange services run their own programs");
        return;
    }
    if (image[0] && has_part(image, ilen, drop_parts) &&
        !has_part(image, ilen, stock_task_parts)) {
        st.key = "image_path";
        hit(&st, "service_in_drop_zone",
            "Service whose program lies in a folder attackers write to "
            "(ProgramData, Users, Temp, web folders)",
            EXH_SEV_HIGH, EXH_CAT_POST_EXPLOITATION, name, image,
            "its ImagePath names a drop zone");
        return;
    }
    if (dll[0] && has_part(dll, dlen, drop_parts) &&
        !has_part(dll, dlen, stock_task_parts)) {
        st.key = "service_dll";
        hit(&st, "service_in_drop_zone",
            "Service whose program lies in a folder attackers write to "
            "(ProgramData, Users, Temp, web folders)",
            EXH_SEV_HIGH, EXH_CAT_POST_EXPLOITATION, name, dll,
            "its Parameters\\ServiceDll names a drop zone");
    }
}

/* The checks written in code, for `exhunt rules list`: the names, severity
 * and category their findings carry (a rule with two titles in findings,
 * iis_module_not_stock, is listed once with a title covering both). */
static const exh_rule_info checks[] = {
    {.name = "exchange_auth_folder_unexpected_file",
     .title = "File in an Exchange front-end sign-in folder (owa/auth, "
              "ecp/auth) that is not a stock Exchange file",
     .source = "builtin:baselines/exchange_auth_files.txt",
     .severity = EXH_SEV_HIGH,
     .category = EXH_CAT_SUSPICIOUS},
    {.name = "iis_module_in_drop_zone",
     .title = "IIS native module or ISAPI filter loaded from a folder "
              "attackers write to (ProgramData, Users, Temp, web folders)",
     .source = "builtin:baselines/iis_native_modules.txt",
     .severity = EXH_SEV_HIGH,
     .category = EXH_CAT_POST_EXPLOITATION},
    {.name = "iis_module_not_stock",
     .title = "IIS native or managed module that IIS, .NET and Exchange do "
              "not install",
     .source = "builtin:baselines/iis_native_modules.txt",
     .severity = EXH_SEV_MEDIUM,
     .category = EXH_CAT_SUSPICIOUS},
    {.name = "transport_agent_in_drop_zone",
     .title = "Exchange transport agent loaded from a folder attackers write "
              "to (ProgramData, Users, Temp, web folders)",
     .source = "builtin:lib/match/persist.c (transport agents)",
     .severity = EXH_SEV_HIGH,
     .category = EXH_CAT_POST_EXPLOITATION},
    {.name = "transport_agent_not_stock",
     .title = "Exchange transport agent that Exchange does not install",
     .source = "builtin:lib/match/persist.c (transport agents)",
     .severity = EXH_SEV_MEDIUM,
     .category = EXH_CAT_SUSPICIOUS},
    {.name = "scheduled_task_encoded_powershell",
     .title = "Scheduled task that runs PowerShell with an encoded command",
     .source = "builtin:lib/match/persist.c (scheduled tasks)",
     .severity = EXH_SEV_HIGH,
     .category = EXH_CAT_POST_EXPLOITATION},
    {.name = "scheduled_task_runs_from_web_folder",
     .title = "Scheduled task that runs code from an IIS or Exchange web "
              "folder",
     .source = "builtin:lib/match/persist.c (scheduled tasks)",
     .severity = EXH_SEV_HIGH,
     .category = EXH_CAT_POST_EXPLOITATION},
    {.name = "scheduled_task_runs_from_drop_zone",
     .title = "Scheduled task that runs code from a folder attackers write "
              "to (ProgramData, Users, Temp)",
     .source = "builtin:lib/match/persist.c (scheduled tasks)",
     .severity = EXH_SEV_MEDIUM,
     .category = EXH_CAT_SUSPICIOUS},
    {.name = "service_runs_shell",
     .title = "Service that runs a command shell or PowerShell (a service "
              "created to run attacker commands)",
     .source = "builtin:lib/match/persist.c (services)",
     .severity = EXH_SEV_HIGH,
     .category = EXH_CAT_POST_EXPLOITATION},
    {.name = "service_in_drop_zone",
     .title = "Service whose program lies in a folder attackers write to "
              "(ProgramData, Users, Temp, web folders)",
     .source = "builtin:lib/match/persist.c (services)",
     .severity = EXH_SEV_HIGH,
     .category = EXH_CAT_POST_EXPLOITATION},
    // lib/triage.c: a triage collection's $MFT and USN journal.
    {.name = "mft_page_not_collected",
     .title = "Server page in a drop zone that the $MFT knows and the triage "
              "collection did not copy (high in owa/auth, ecp/auth)",
     .source = "builtin:exhunt/triage",
     .severity = EXH_SEV_MEDIUM,
     .category = EXH_CAT_SUSPICIOUS},
    {.name = "mft_deleted_page",
     .title = "Deleted server page in a drop zone, known from the $MFT of a "
              "triage collection",
     .source = "builtin:exhunt/triage",
     .severity = EXH_SEV_MEDIUM,
     .category = EXH_CAT_SUSPICIOUS},
    {.name = "usn_page_created_deleted",
     .title = "Server page created where web shells are planted (owa/auth, "
              "ecp/auth, aspnet_client, OAB), then deleted: from the USN "
              "journal of a triage collection",
     .source = "builtin:exhunt/triage",
     .severity = EXH_SEV_HIGH,
     .category = EXH_CAT_SUSPICIOUS},
    {.name = "usn_page_created",
     .title = "Server page created where web shells are planted (owa/auth, "
              "ecp/auth, aspnet_client, OAB): from the USN journal of a "
              "triage collection",
     .source = "builtin:exhunt/triage",
     .severity = EXH_SEV_MEDIUM,
     .category = EXH_CAT_SUSPICIOUS},
    {.name = "usn_log_deleted",
     .title = "Log file deleted, from the USN journal of a triage "
              "collection (Exchange's own retention deletes logs older than "
              "30 days)",
     .source = "builtin:exhunt/triage",
     .severity = EXH_SEV_LOW,
     .category = EXH_CAT_SUSPICIOUS},
};

size_t exh_check_count(void)
{
    return sizeof checks / sizeof checks[0];
}

exh_status exh_check_info(size_t i, exh_rule_info *out)
{
    if (!out || i >= exh_check_count())
        return EXH_ERR_INVALID_ARG;
    *out = checks[i];
    out->author = "exhunt";
    out->logsource = "file";
    out->has_reader = 1;
    return EXH_OK;
}
