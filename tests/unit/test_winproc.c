/* SPDX-License-Identifier: Apache-2.0 */
/* test_winproc.c - Security 4688 with Sysmon 1's field names: the map,
 * parents linked by process id, process id reuse, other events untouched. */
#include "harness.h"
#include "internal.h"

/* One 4688 record: names[] / values[] of its EventData and System. */
typedef struct rec {
    const char *names[12];
    const char *values[12];
    size_t lens[12];
    size_t count;
    char raw[2048];
    event ev;
} rec;

static const event *make(rec *r, const char *computer, const char *pid,
                         const char *image, const char *ppid,
                         const char *parent)
{
    const char *n[] = {"EventID",           "Channel",
                       "Computer",          "SubjectUserName",
                       "SubjectDomainName", "NewProcessId",
                       "NewProcessName",    "ProcessId",
                       "ParentProcessName", "MandatoryLabel"};
    const char *v[] = {"4688", "Security", computer, "alice", "CORP",
                       pid,    image,      ppid,     parent,  "S-1-16-12288"};
    size_t at = 0;
    r->count = 0;
    for (size_t i = 0; i < sizeof n / sizeof *n; i++) {
        if (!v[i])
            continue;
        r->names[r->count] = n[i];
        r->values[r->count] = v[i];
        r->lens[r->count] = strlen(v[i]);
        at += (size_t)snprintf(r->raw + at, sizeof r->raw - at, "%s%s",
                               at ? " " : "", v[i]);
        r->count++;
    }
    r->ev = (event){.count = r->count,
                    .names = r->names,
                    .values = r->values,
                    .lens = r->lens,
                    .raw = r->raw,
                    .raw_len = at};
    return &r->ev;
}

static const char *get(const event *ev, const char *name)
{
    const char *v = event_get(ev, name, NULL);
    return v ? v : "(none)";
}

int main(void)
{
    winproc *p = NULL;
    rec r;
    CHECK(winproc_new(&p) == EXH_OK);

    // Server 2016: ParentProcessName given
    const event *ev = make(&r, "EXCH01", "0x1f40", "C:\\W\\whoami.exe",
                           "0x1a2c", "C:\\X\\UMWorkerProcess.exe");
    const event *out = winproc_event(p, ev, "Security", "4688");
    CHECK(out != ev);
    CHECK_STR(get(out, "Image"), "C:\\W\\whoami.exe");
    CHECK_STR(get(out, "ParentImage"), "C:\\X\\UMWorkerProcess.exe");
    CHECK_STR(get(out, "ParentProcessId"), "6700");
    CHECK_STR(get(out, "ProcessId"), "0x1a2c"); // 4688's own, untouched
    CHECK_STR(get(out, "User"), "CORP\\alice");
    CHECK_STR(get(out, "IntegrityLevel"), "High");
    CHECK(util_memcasemem(out->raw, out->raw_len, "CORP\\alice", 10) != NULL);
    CHECK(strlen(out->raw) == out->raw_len);

    // Server 2012 R2: w3wp (0x100), then its child: linked
    winproc_reset(p);
    ev = make(&r, "EXCH01", "0x100", "C:\\i\\w3wp.exe", "0x2d0", NULL);
    out = winproc_event(p, ev, "Security", "4688");
    CHECK_STR(get(out, "ParentImage"), "(none)");
    ev = make(&r, "EXCH01", "0x104", "C:\\W\\cmd.exe", "0x100", NULL);
    out = winproc_event(p, ev, "Security", "4688");
    CHECK_STR(get(out, "ParentImage"), "C:\\i\\w3wp.exe");
    CHECK_STR(get(out, "ParentProcessName"), "C:\\i\\w3wp.exe");
    CHECK(util_memcasemem(out->raw, out->raw_len, "w3wp.exe", 8) != NULL);
    // another computer's process 0x100 is not this one's parent
    ev = make(&r, "EXCH02", "0x108", "C:\\W\\cmd.exe", "0x100", NULL);
    out = winproc_event(p, ev, "Security", "4688");
    CHECK_STR(get(out, "ParentImage"), "(none)");
    // the id reused by notepad: the newest process wins
    ev = make(&r, "EXCH01", "0x100", "C:\\W\\notepad.exe", "0x2d0", NULL);
    (void)winproc_event(p, ev, "Security", "4688");
    ev = make(&r, "EXCH01", "0x10c", "C:\\W\\cmd.exe", "256", NULL);
    out = winproc_event(p, ev, "Security", "4688");
    CHECK_STR(get(out, "ParentImage"), "C:\\W\\notepad.exe");
    // a new file forgets the processes of the last
    winproc_reset(p);
    ev = make(&r, "EXCH01", "0x110", "C:\\W\\cmd.exe", "0x100", NULL);
    out = winproc_event(p, ev, "Security", "4688");
    CHECK_STR(get(out, "ParentImage"), "(none)");
    // bad ids: no link, no ParentProcessId
    ev = make(&r, "EXCH01", "0xzz", "C:\\W\\cmd.exe", "0x1ffffffffffffffff",
              NULL);
    out = winproc_event(p, ev, "Security", "4688");
    CHECK_STR(get(out, "ParentProcessId"), "(none)");
    CHECK_STR(get(out, "Image"), "C:\\W\\cmd.exe");

    // other events and channels pass through
    ev = make(&r, "EXCH01", "0x114", "C:\\W\\cmd.exe", "0x100", NULL);
    CHECK(winproc_event(p, ev, "Security", "4624") == ev);
    CHECK(winproc_event(p, ev, "Application", "4688") == ev);
    CHECK(winproc_event(p, ev, "Security", NULL) == ev);
    CHECK(winproc_event(NULL, ev, "Security", "4688") == ev);
    winproc_free(p);
    winproc_free(NULL);
    TEST_MAIN_END();
}
