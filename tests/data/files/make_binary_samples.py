#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the binary and UTF-16 YARA test samples under tests/data/files/.

Synthetic and tiny: minidumps are a MINIDUMP_HEADER, a stream directory and
a module list whose module names are UTF-16 MINIDUMP_STRINGs (no memory, no
credentials); the PST samples are the 4-byte magic `!BDN` and a few header
bytes (no mailbox data); UTF-16 samples re-encode the ASCII samples of the
same folder. Run from anywhere: `python3 tests/data/files/make_binary_samples.py`.
The outputs are committed; rerunning rewrites them byte for byte.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

MINIDUMP_SIGNATURE = b'MDMP'
MINIDUMP_VERSION = 0xA793  # low word of Version (minidumpapiset.h)
MODULE_LIST_STREAM = 4
MODULE_SIZE = 108  # sizeof(MINIDUMP_MODULE)


def minidump(modules):
    """A minimal minidump: header, one directory entry, a module list."""
    header_size = 32
    dir_rva = header_size
    list_rva = dir_rva + 12
    list_size = 4 + MODULE_SIZE * len(modules)
    strings = b''
    string_rvas = []
    for name in modules:
        string_rvas.append(list_rva + list_size + len(strings))
        data = name.encode('utf-16-le')
        strings += struct.pack('<I', len(data)) + data + b'\0\0'
    out = MINIDUMP_SIGNATURE
    out += struct.pack('<IIIIIQ', MINIDUMP_VERSION, 1, dir_rva, 0,
                       0x60000000, 0)
    out += struct.pack('<III', MODULE_LIST_STREAM, list_size, list_rva)
    out += struct.pack('<I', len(modules))
    base = 0x7FF800000000
    for i, rva in enumerate(string_rvas):
        module = struct.pack('<QIIII', base + i * 0x100000, 0x10000, 0,
                             0x60000000, rva)
        module += b'\0' * (MODULE_SIZE - len(module))
        out += module
    return out + strings


def pst_header():
    """The PST magic and the client magic `SM`, then zero padding."""
    return b'!BDN' + b'\0\0\0\0' + b'SM' + b'\x17\x00' + b'\0' * 24


def utf16(path):
    """The UTF-16LE (with BOM) form of an ASCII sample."""
    with open(os.path.join(HERE, path), encoding='ascii') as f:
        return b'\xff\xfe' + f.read().encode('utf-16-le')


def write(path, data):
    full = os.path.join(HERE, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, 'wb') as f:
        f.write(data)


def wer(pool):
    """A trimmed Windows Error Report (UTF-16LE with a BOM) of w3wp.exe
    crashing in the given application pool."""
    t = ("Version=1\r\nEventType=APPCRASH\r\nEventTime=132596812345678901\r\n"
         "ReportType=2\r\nConsent=1\r\n"
         "Sig[0].Name=Application Name\r\nSig[0].Value=w3wp.exe\r\n"
         "DynamicSig[1].Name=OS Version\r\n"
         "DynamicSig[1].Value=10.0.17763.2.0.0.272.7\r\n"
         "UI[2]=c:\\windows\\system32\\inetsrv\\w3wp.exe\r\n"
         "LoadedModule[0]=c:\\windows\\system32\\inetsrv\\w3wp.exe\r\n"
         "State[0].Key=Transport.DoneStage1Submission\r\n"
         "FriendlyEventName=Stopped working\r\n"
         "ConsentKey=APPCRASH\r\n"
         "AppName=IIS Worker Process\r\n"
         "AppPath=c:\\windows\\system32\\inetsrv\\w3wp.exe\r\n"
         "NsAppName=w3wp.exe\r\n"
         "ApplicationIdentity=00000000000000000000000000000000\r\n"
         "MetadataHash=-1\r\n"
         "Response.BucketId=0\r\n"
         "Sig[9].Name=Application Pool\r\n"
         f"Sig[9].Value=w3wp#{pool}\r\n"
         "; exhunt test sample: a trimmed, inert Report.wer\r\n")
    return b'\xff\xfe' + t.encode('utf-16-le')


def app_web_dll(virtual_path, extra):
    """Not a real PE: the MZ signature, padding, and the names a compiled
    ASP.NET page assembly holds (its own name, the page's virtual path in
    UTF-16 as the user-string heap stores it, member names). Inert."""
    body = (b'MZ' + b'\0' * 126 + b'exhunt test sample: not a real PE\0' +
            b'App_Web_x3kq9zt1.dll\0' +
            virtual_path.encode('utf-16-le') + b'\0\0' +
            b'\0'.join(extra) + b'\0')
    return body + b'\0' * (6000 - len(body))


def main():
    sys32 = 'C:\\Windows\\System32\\'
    lsass = minidump([sys32 + 'lsass.exe', sys32 + 'ntdll.dll',
                      sys32 + 'lsasrv.dll', sys32 + 'samsrv.dll'])
    w3wp = minidump([sys32 + 'inetsrv\\w3wp.exe', sys32 + 'ntdll.dll',
                     sys32 + 'kernel32.dll'])
    write('postex_lsass_minidump/positive.dmp', lsass)
    write('postex_lsass_minidump/negative_w3wp.dmp', w3wp)
    # text naming the module, not a dump
    write('postex_lsass_minidump/negative_text.txt',
          b'exhunt test sample (near miss): procdump notes; lsasrv.dll '
          b'and lsass.exe named in plain text, no MDMP header.\n')
    write('postex_minidump/positive.dmp', w3wp)
    write('postex_minidump/negative_lsass.dmp', lsass)
    write('postex_minidump/negative_text.txt',
          b'MDM exhunt test sample (near miss): starts like a minidump, '
          b'is not one.\n')
    write('exchange_pst_as_webshell/positive.aspx', pst_header())
    write('exchange_pst_as_webshell/negative.pst', pst_header())
    write('exchange_pst_as_webshell/negative_text.aspx',
          b'<%@ Page Language="C#" %>\n<%-- exhunt test sample (near miss):'
          b' names the PST magic !BDN in text, not at offset 0 --%>\n')
    write('webshell_chopper_jscript_eval/positive_utf16.aspx',
          utf16('webshell_chopper_jscript_eval/positive.aspx'))
    write('webshell_asp_eval_request/positive_utf16.asp',
          utf16('webshell_asp_eval_request/positive.asp'))
    write('webshell_chopper_jscript_pageload/positive_utf16.aspx',
          utf16('webshell_chopper_jscript_pageload/positive.aspx'))
    write('exchange_oab_vdir_dump_script/positive_utf16.aspx',
          utf16('exchange_oab_vdir_dump_script/positive.aspx'))
    d = 'exchange_wer_ecp_app_pool_crash/'
    write(d + 'positive-Report.wer', wer('MSExchangeECPAppPool'))
    write(d + 'negative-owa-pool.wer', wer('MSExchangeOWAAppPool'))
    # the same text without UTF-16: not a WER file
    write(d + 'negative-utf8.wer',
          wer('MSExchangeECPAppPool')[2:].decode('utf-16-le').encode())
    d = 'exchange_wer_app_pool_crash/'
    write(d + 'positive-owa-pool.wer', wer('MSExchangeOWAAppPool'))
    write(d + 'positive-powershell-pool.wer',
          wer('MSExchangePowerShellAppPool'))
    write(d + 'negative-ecp-pool.wer', wer('MSExchangeECPAppPool'))
    write(d + 'negative-default-pool.wer', wer('DefaultAppPool'))
    d = 'webshell_compiled_page_dll/'
    write(d + 'positive-aspnet_client.dll',
          app_web_dll('~/aspnet_client/discover.aspx',
                      [b'get_Request', b'get_Item']))
    write(d + 'positive-auth-jscript.dll',
          app_web_dll('~/auth/errorEE.aspx', [b'JScriptEvaluate']))
    write(d + 'negative-owa-page.dll',
          app_web_dll('~/owa/auth/logon.aspx', [b'get_Request']))
    write(d + 'negative-auth-no-eval.dll',
          app_web_dll('~/auth/expiredpassword.aspx', [b'get_Request']))
    write(d + 'negative-text.txt',
          b'exhunt test sample (near miss): App_Web_x3kq9zt1.dll compiled '
          b'from ~/aspnet_client/a.aspx, named in a text file\n')


if __name__ == '__main__':
    main()
