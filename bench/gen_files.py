#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes a tree of files shaped like an Exchange server's web and install
folders, for bench/files.sh (exhunt scan --all-files against yara -r).

Deterministic for a count and --seed. The mix, by count: ASP.NET pages
(.aspx/.ascx/.ashx/.asmx with code), scripts (.js, minified and not),
styles (.css), web.config and other XML (.config/.xml/.xsd), images and
fonts (.png/.gif/.woff, random bytes behind the real magic), PE files
(.dll, an MZ header and random bytes, some tens of KiB) and text (.txt,
.htm). Under ProgramData, inetpub and aspnet_client a few of the test
suite's defanged web shells are planted (their names in the manifest).
Sizes follow the real folders: most files are a few KiB, DLLs larger.

usage: gen_files.py OUT_DIR [--files N] [--seed S]
Writes OUT_DIR and OUT_DIR.manifest.json.
"""
import argparse
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = os.path.join(os.path.dirname(HERE), 'tests', 'data', 'files')
ROOTS = [
    'Program Files/Microsoft/Exchange Server/V15/ClientAccess/ecp/{d}',
    'Program Files/Microsoft/Exchange Server/V15/ClientAccess/owa/prem/15.2.1118/scripts/{d}',
    'Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/15.2.1118/themes/{d}',
    'Program Files/Microsoft/Exchange Server/V15/Bin/{d}',
    'inetpub/wwwroot/{d}',
    'Windows/Microsoft.NET/Framework64/v4.0.30319/Temporary ASP.NET Files/owa/{d}',
]
WORDS = ('mailbox user policy address list rule transport connector server '
         'database message folder calendar contact retention archive '
         'certificate domain quota role group').split()


def ident(rng):
    return ''.join(w.capitalize() for w in rng.sample(WORDS, 2))


def page(rng):
    name = ident(rng)
    body = ['<%@ Page Language="C#" AutoEventWireup="true" '
            'CodeBehind="{0}.aspx.cs" Inherits="Microsoft.Exchange.'
            'Management.ControlPanel.{0}" %>'.format(name),
            '<%@ Register TagPrefix="ecp" Namespace="Microsoft.Exchange.'
            'Management.ControlPanel.WebControls" %>',
            '<asp:Content ID="Main" ContentPlaceHolderID="content" '
            'runat="server">']
    for _ in range(rng.randint(10, 120)):
        w = ident(rng)
        body.append(rng.choice([
            '  <ecp:PropertyPageSheet ID="{0}" runat="server" />',
            '  <asp:Label ID="lbl{0}" runat="server" Text="<%$ Strings:{0} %>" />',
            '  <% if (Request.QueryString["{0}"] != null) {{ Response.Write(Server.HtmlEncode(Request.QueryString["{0}"])); }} %>',
            '  <div class="{0}"><%= Html.Encode(ViewData["{0}"]) %></div>',
        ]).format(w))
    body.append('</asp:Content>')
    return '\r\n'.join(body).encode()


def script(rng):
    out = []
    for _ in range(rng.randint(20, 400)):
        w = ident(rng)
        out.append(rng.choice([
            'function %s(a,b){return a&&b?a.%s(b):null}' % (w, w),
            'var %s=window.%s||{};%s.init=function(){this.v=%d};' % (
                w, w, w, rng.randint(0, 99999)),
            '/* %s: %s */' % (w, ' '.join(rng.sample(WORDS, 5))),
            'if(typeof %s!=="undefined"){%s.load("%s.json")}' % (w, w, w),
        ]))
    return ('\n' if rng.random() < 0.5 else '').join(out).encode()


def style(rng):
    return '\n'.join('.%s{color:#%06x;margin:%dpx}' % (
        ident(rng), rng.randrange(1 << 24), rng.randint(0, 20))
        for _ in range(rng.randint(20, 300))).encode()


def config(rng):
    adds = '\n'.join(
        '      <add name="%s" type="Microsoft.Exchange.%s.%s, Microsoft.'
        'Exchange.%s, Version=15.0.0.0, Culture=neutral, PublicKeyToken='
        '31bf3856ad364e35" />' % ((ident(rng),) * 4)
        for _ in range(rng.randint(3, 40)))
    return ('<?xml version="1.0" encoding="utf-8"?>\n<configuration>\n'
            '  <system.webServer>\n    <modules>\n%s\n    </modules>\n'
            '  </system.webServer>\n</configuration>\n' % adds).encode()


def binary(rng, magic, lo, hi):
    return magic + rng.randbytes(rng.randint(lo, hi))


def pe(rng):
    head = b'MZ\x90\x00' + bytes(56) + b'This program cannot be run in DOS mode'
    return head + rng.randbytes(rng.randint(8 << 10, 120 << 10))


KINDS = [  # (weight, extension, maker)
    (18, '.aspx', page), (4, '.ascx', page), (1, '.ashx', page),
    (1, '.asmx', page), (22, '.js', script), (8, '.css', style),
    (6, '.config', config), (4, '.xml', config),
    (12, '.png', lambda r: binary(r, b'\x89PNG\r\n\x1a\n', 200, 20000)),
    (8, '.gif', lambda r: binary(r, b'GIF89a', 50, 5000)),
    (2, '.woff', lambda r: binary(r, b'wOFF', 10000, 60000)),
    (10, '.dll', pe), (4, '.htm', page),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('out')
    ap.add_argument('--files', type=int, default=20000)
    ap.add_argument('--seed', type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    weights = [k[0] for k in KINDS]
    total = 0
    for i in range(args.files):
        _, ext, make = rng.choices(KINDS, weights)[0]
        root = rng.choice(ROOTS).format(d='d%03d' % rng.randrange(200))
        if '/auth/' in root and ext in ('.aspx', '.ascx', '.ashx', '.asmx'):
            root = ROOTS[0].format(d='d%03d' % rng.randrange(200))  # no
            # pages in a build folder of owa\auth (rules/README.md)
        path = os.path.join(args.out, root, '%s%d%s' % (ident(rng), i, ext))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = make(rng)
        total += len(data)
        with open(path, 'wb') as f:
            f.write(data)
    planted = []
    for rule in sorted(os.listdir(SAMPLES)):
        folder = os.path.join(SAMPLES, rule)
        if not rule.startswith('webshell_') or not os.path.isdir(folder):
            continue
        for entry in sorted(os.listdir(folder)):
            src = os.path.join(folder, entry)
            if entry.startswith('positive') and os.path.isfile(src):
                rel = 'inetpub/wwwroot/aspnet_client/%s-%s' % (rule, entry)
                dest = os.path.join(args.out, rel)
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                with open(src, 'rb') as f, open(dest, 'wb') as g:
                    g.write(f.read())
                planted.append(rel)
    with open(args.out.rstrip('/') + '.manifest.json', 'w') as f:
        json.dump({'files': args.files + len(planted), 'bytes': total,
                   'planted': planted}, f, indent=1)
    print('%d files (%d planted), %.1f MiB' % (
        args.files + len(planted), len(planted), total / 1048576))


if __name__ == '__main__':
    main()
