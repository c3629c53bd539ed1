/* SPDX-License-Identifier: Apache-2.0 */
/*
 * winlog.c - what a Sigma logsource of product windows reads: the event
 * log channels of its service (security -> Security, sysmon ->
 * Microsoft-Windows-Sysmon/Operational, msexchange-management -> MSExchange
 * Management, ...), or the channel and event ids of its category
 * (process_creation -> Sysmon event 1, ps_script -> PowerShell 4104, ...),
 * as SigmaHQ's windows logsource definitions give them. A rule is only
 * evaluated on records of its channels, which is most of the speed of
 * hunting event logs with thousands of rules.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define SYSMON "Microsoft-Windows-Sysmon/Operational"
#define PWSH   "Microsoft-Windows-PowerShell/Operational"

struct winlog_source {
    const char *name;        /* service or category */
    bool category;           /* name is a category */
    const char *channels[5]; /* NULL-terminated; none: every channel */
    unsigned short ids[9];   /* event ids, 0-terminated; none: every id */
};

static const winlog_source sources[] = {
    {"security", false, {"Security"}, {0}},
    {"system", false, {"System"}, {0}},
    {"application", false, {"Application"}, {0}},
    {"sysmon", false, {SYSMON}, {0}},
    {"powershell", false, {PWSH}, {0}},
    {"powershell-classic", false, {"Windows PowerShell"}, {0}},
    {"msexchange-management", false, {"MSExchange Management"}, {0}},
    {"windefend",
     false,
     {"Microsoft-Windows-Windows Defender/Operational"},
     {0}},
    {"taskscheduler",
     false,
     {"Microsoft-Windows-TaskScheduler/Operational"},
     {0}},
    {"wmi", false, {"Microsoft-Windows-WMI-Activity/Operational"}, {0}},
    {"dns-server", false, {"DNS Server"}, {0}},
    {"driver-framework",
     false,
     {"Microsoft-Windows-DriverFrameworks-UserMode/Operational"},
     {0}},
    {"firewall-as",
     false,
     {"Microsoft-Windows-Windows Firewall With Advanced Security/Firewall"},
     {0}},
    {"bits-client", false, {"Microsoft-Windows-Bits-Client/Operational"}, {0}},
    {"codeintegrity-operational",
     false,
     {"Microsoft-Windows-CodeIntegrity/Operational"},
     {0}},
    {"applocker",
     false,
     {"Microsoft-Windows-AppLocker/MSI and Script",
      "Microsoft-Windows-AppLocker/EXE and DLL",
      "Microsoft-Windows-AppLocker/Packaged app-Deployment",
      "Microsoft-Windows-AppLocker/Packaged app-Execution"},
     {0}},
    {"ntlm", false, {"Microsoft-Windows-NTLM/Operational"}, {0}},
    {"terminalservices-localsessionmanager",
     false,
     {"Microsoft-Windows-TerminalServices-LocalSessionManager/Operational"},
     {0}},
    {"openssh", false, {"OpenSSH/Operational"}, {0}},
    {"capi2", false, {"Microsoft-Windows-CAPI2/Operational"}, {0}},
    {"dhcp", false, {"Microsoft-Windows-DHCP-Server/Operational"}, {0}},
    {"smbclient-security",
     false,
     {"Microsoft-Windows-SmbClient/Security"},
     {0}},
    {"printservice-admin",
     false,
     {"Microsoft-Windows-PrintService/Admin"},
     {0}},
    {"printservice-operational",
     false,
     {"Microsoft-Windows-PrintService/Operational"},
     {0}},
    {"appxdeployment-server",
     false,
     {"Microsoft-Windows-AppXDeploymentServer/Operational"},
     {0}},
    {"diagnosis-scripted",
     false,
     {"Microsoft-Windows-Diagnosis-Scripted/Operational"},
     {0}},
    {"ldap_debug", false, {"Microsoft-Windows-LDAP-Client/Debug"}, {0}},
    {"security-mitigations",
     false,
     {"Microsoft-Windows-Security-Mitigations/Kernel Mode",
      "Microsoft-Windows-Security-Mitigations/User Mode"},
     {0}},
    {"shell-core", false, {"Microsoft-Windows-Shell-Core/Operational"}, {0}},
    {"vhdmp", false, {"Microsoft-Windows-VHDMP/Operational"}, {0}},
    {"iis-configuration",
     false,
     {"Microsoft-IIS-Configuration/Operational"},
     {0}},
    // categories: Sysmon's events (SigmaHQ's windows logsources)
    // process_creation also reads Security 4688 (winproc.c adds Sysmon's
    // field names to it); Sysmon has no event 4688, Security no event 1
    {"process_creation", true, {SYSMON, "Security"}, {1, 4688}},
    {"file_change", true, {SYSMON}, {2}},
    {"network_connection", true, {SYSMON}, {3}},
    {"sysmon_status", true, {SYSMON}, {4, 16}},
    {"process_termination", true, {SYSMON}, {5}},
    {"driver_load", true, {SYSMON}, {6}},
    {"image_load", true, {SYSMON}, {7}},
    {"create_remote_thread", true, {SYSMON}, {8}},
    {"raw_access_thread", true, {SYSMON}, {9}},
    {"process_access", true, {SYSMON}, {10}},
    {"file_event", true, {SYSMON}, {11}},
    {"registry_add", true, {SYSMON}, {12}},
    {"registry_delete", true, {SYSMON}, {12}},
    {"registry_set", true, {SYSMON}, {13}},
    {"registry_rename", true, {SYSMON}, {14}},
    {"registry_event", true, {SYSMON}, {12, 13, 14}},
    {"create_stream_hash", true, {SYSMON}, {15}},
    {"pipe_created", true, {SYSMON}, {17, 18}},
    {"wmi_event", true, {SYSMON}, {19, 20, 21}},
    {"dns_query", true, {SYSMON}, {22}},
    {"file_delete", true, {SYSMON}, {23, 26}},
    {"clipboard_capture", true, {SYSMON}, {24}},
    {"process_tampering", true, {SYSMON}, {25}},
    {"file_block", true, {SYSMON}, {27, 28}},
    {"sysmon_error", true, {SYSMON}, {255}},
    {"ps_module", true, {PWSH}, {4103}},
    {"ps_script", true, {PWSH}, {4104}},
    {"ps_classic_start", true, {"Windows PowerShell"}, {400}},
    {"ps_classic_provider_start", true, {"Windows PowerShell"}, {600}},
    {"ps_classic_script", true, {"Windows PowerShell"}, {800}},
};

static const winlog_source any = {"*", false, {NULL}, {0}};

const winlog_source *winlog_source_of(const char *product, const char *service,
                                      const char *category)
{
    if (!product || util_strcasecmp(product, "windows") != 0)
        return NULL;
    const char *name = category ? category : service;
    if (!name)
        return &any;
    for (size_t i = 0; i < sizeof sources / sizeof *sources; i++) {
        if (sources[i].category == (category != NULL) &&
            util_strcasecmp(sources[i].name, name) == 0)
            return &sources[i];
    }
    return NULL;
}

bool winlog_applies(const winlog_source *s, const char *channel,
                    const char *event_id)
{
    if (s->channels[0]) {
        size_t i = 0;
        while (i < 5 && s->channels[i] &&
               util_strcasecmp(s->channels[i], channel) != 0)
            i++;
        if (i == 5 || !s->channels[i])
            return false;
    }
    if (!s->ids[0])
        return true;
    unsigned long id = 0;
    size_t n = 0;
    for (; event_id[n] >= '0' && event_id[n] <= '9' && n < 6; n++)
        id = id * 10 + (unsigned long)(event_id[n] - '0');
    if (n == 0 || event_id[n])
        return false;
    for (size_t i = 0; i < 9 && s->ids[i]; i++) {
        if (s->ids[i] == id)
            return true;
    }
    return false;
}
