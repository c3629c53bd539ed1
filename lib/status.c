/* SPDX-License-Identifier: Apache-2.0 */
/*
 * status.c - names of the public enums, the version, and the public time
 * parser. Fixed strings only: nothing here allocates.
 */
#include "internal.h"

#include <string.h>

const char *exh_status_str(exh_status status)
{
    switch (status) {
    case EXH_OK:
        return "no error";
    case EXH_ERR_NOMEM:
        return "out of memory";
    case EXH_ERR_INVALID_ARG:
        return "invalid argument";
    case EXH_ERR_IO:
        return "input/output error";
    case EXH_ERR_RULE_SYNTAX:
        return "rule syntax error";
    case EXH_ERR_ENGINE:
        return "matching engine error";
    case EXH_ERR_LIMIT:
        return "limit exceeded";
    case EXH_ERR_TIMEOUT:
        return "timeout";
    case EXH_ERR_UNSUPPORTED:
        return "unsupported";
    }
    return "unknown status";
}

unsigned exh_version_number(void)
{
    return EXH_VERSION_NUMBER;
}

const char *exh_version_string(void)
{
    return EXH_VERSION_STRING;
}

static const char *const severity_names[] = {"critical", "high", "medium",
                                             "low", "info"};
static const char *const category_names[] = {"vulnerable",        "attempt",
                                             "exploitation",      "webshell",
                                             "post-exploitation", "suspicious"};

const char *exh_severity_name(exh_severity severity)
{
    if ((unsigned)severity >= sizeof severity_names / sizeof *severity_names)
        return NULL;
    return severity_names[severity];
}

exh_status exh_severity_parse(const char *name, exh_severity *out)
{
    if (!name)
        return EXH_ERR_INVALID_ARG;
    for (unsigned i = 0; i < 5; i++) {
        if (util_strcasecmp(name, severity_names[i]) == 0) {
            *out = (exh_severity)i;
            return EXH_OK;
        }
    }
    if (util_strcasecmp(name, "informational") == 0) {
        *out = EXH_SEV_INFO;
        return EXH_OK;
    }
    return EXH_ERR_INVALID_ARG;
}

const char *exh_category_name(exh_category category)
{
    if ((unsigned)category >= sizeof category_names / sizeof *category_names)
        return NULL;
    return category_names[category];
}

exh_status exh_time_parse(const char *text, int64_t *out_ms)
{
    if (!text || !util_time_parse(text, strlen(text), out_ms))
        return EXH_ERR_INVALID_ARG;
    return EXH_OK;
}
