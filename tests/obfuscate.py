#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes seeded, obfuscated variants of the web shell samples.

The seeds are the positive samples of each web shell family in
tests/data/files/webshell_*/ (text files; the compiled-DLL family is left
out). Each variant applies one to three transformations chosen with a
seeded random generator, each one valid in the page's language, so that
the page would still compile and do the same (the samples stay defanged:
their code sits in server-side comments, and the transformations keep
it there):

  case      markup (directives, <script> attributes) in random case; for
            VBScript (classic ASP, case-insensitive) every identifier too
  space     spaces, tabs (and newlines, but not in VBScript) around ( ) [ ]
            , = + and member dots, outside string literals
  comment   /**/ comments at the same places (C#, JScript); for VBScript a
            comment line between statements
  concat    string literals split and joined again ("uns"+"afe", VBScript
            "uns" & "afe")
  unicode   \\uXXXX escapes in string literals (C#, JScript) and in C#
            identifiers (Proc\\u0065ss)
  chararray C# string literals as new string(new char[]{'c','m','d'})
  reverse   string literals reversed at run time (C#: new string("..."
            .Reverse().ToArray()); JScript: split/reverse/join; VBScript:
            StrReverse)
  base64    JScript eval of request data: the request expression wrapped
            in a base64 decode (Chopper's common variant)
  utf16     the whole file as UTF-16LE with a BOM (ASP.NET reads it)

usage: obfuscate.py OUT_DIR [--per-seed N] [--seed S]
Writes OUT_DIR/<family>/<seed stem>-<n>-<transforms>.<ext> and prints
"<family> <count>" per family.
"""
import argparse
import base64
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = os.path.join(HERE, 'data', 'files')
SKIP = {'webshell_compiled_page_dll'}


def language(name, text):
    ext = os.path.splitext(name)[1].lower()
    if ext == '.asp':
        return 'vb'
    if re.search(r'language\s*=\s*"?jscript', text, re.I):
        return 'js'
    return 'cs'


# A string literal ("..." with backslash escapes; VBScript: "" escapes).
STR_RE = {'vb': re.compile(r'"(?:[^"\n]|"")*"'),
          'cs': re.compile(r'"(?:[^"\\\n]|\\.)*"'),
          'js': re.compile(r'"(?:[^"\\\n]|\\.)*"')}


def split_code(text, lang):
    """[(is_string, piece)] in order."""
    out, pos = [], 0
    for m in STR_RE[lang].finditer(text):
        out.append((False, text[pos:m.start()]))
        out.append((True, m.group(0)))
        pos = m.end()
    out.append((False, text[pos:]))
    return out


def join(parts):
    return ''.join(p for _, p in parts)


def in_markup_attr(text, start):
    """True when the literal at start is a markup attribute value
    (directive or tag attribute: preceded by name=)."""
    before = text[max(0, start - 40):start]
    return re.search(r'(<%@|<script|<%--)[^>]*\w\s*=\s*$', before,
                     re.I) is not None or re.search(
        r'\b(Language|Namespace|Class|runat|language|Inherits|Debug|'
        r'EnableSessionState)\s*=\s*$', before) is not None


def code_literals(text, lang):
    """Indexes (into split_code) of string literals in code, not markup."""
    parts = split_code(text, lang)
    idx, pos = [], 0
    for i, (is_str, p) in enumerate(parts):
        if is_str and len(p) > 3 and not in_markup_attr(text, pos):
            idx.append(i)
        pos += len(p)
    return parts, idx


def t_case(text, lang, rng):
    def mix(s):
        return ''.join(c.upper() if rng.random() < 0.5 else c.lower()
                       for c in s)
    # markup: directive and script tag names and attributes, not values
    def markup(m):
        return re.sub(r'[A-Za-z_]+(?=\s*=)|<script|@\s*\w+',
                      lambda n: mix(n.group(0)), m.group(0))
    text = re.sub(r'<%@[^%]*%>|<script[^>]*>', markup, text, flags=re.I)
    text = re.sub(r'(?<=language=")[A-Za-z#]+(?=")',
                  lambda m: mix(m.group(0)) if m.group(0).lower() != 'c#'
                  else m.group(0), text, flags=re.I)
    if lang == 'vb':
        parts = split_code(text, lang)
        text = join((s, p if s else re.sub(
            r'[A-Za-z_]\w*', lambda m: mix(m.group(0)), p))
            for s, p in parts)
    return text


PUNCT = re.compile(r'(?<=[\w\)\]"])\s*([\(\)\[\],=+])\s*|'
                   r'(?<=[A-Za-z\)\]])\.(?=[A-Za-z])')


def insert_at_punct(text, lang, make):
    """Inserts make() around punctuation outside string literals."""
    parts = split_code(text, lang)
    out = []
    for is_str, p in parts:
        if is_str:
            out.append(p)
            continue
        out.append(PUNCT.sub(lambda m: make() + m.group(0).strip() + make(),
                             p))
    return ''.join(out)


def t_space(text, lang, rng):
    pool = [' ', '  ', '\t'] + ([] if lang == 'vb' else ['\n', ' \r\n '])
    if lang == 'vb':
        # VBScript allows no break inside a statement and no space
        # around a member dot: space only around ( ) , = +
        parts = split_code(text, lang)
        return join((s, p if s else re.sub(
            r'\s*([\(\),=+&])\s*',
            lambda m: rng.choice(pool) + m.group(1) + rng.choice(pool), p))
            for s, p in parts)
    return insert_at_punct(text, lang,
                           lambda: rng.choice(pool) if rng.random() < 0.6
                           else '')


def t_comment(text, lang, rng):
    if lang == 'vb':
        lines = text.split('\n')
        out = []
        for line in lines:
            out.append(line)
            if rng.random() < 0.5 and line.strip() and \
                    not line.strip().startswith('<'):
                out.append("' " + rng.choice(['x', 'todo', 'cache', '']))
        return '\n'.join(out)
    return insert_at_punct(text, lang,
                           lambda: rng.choice(['/**/', '/*x*/', '/* */'])
                           if rng.random() < 0.5 else '')


def pick_literals(text, lang, rng, count=2):
    parts, idx = code_literals(text, lang)
    rng.shuffle(idx)
    return parts, idx[:count]


def literal_body(lit):
    return lit[1:-1]


def t_concat(text, lang, rng):
    parts, chosen = pick_literals(text, lang, rng, 3)
    for i in chosen:
        body = literal_body(parts[i][1])
        if len(body) < 2:
            continue
        # cut between characters, never inside an escape sequence
        cuts, k = [], 0
        while k < len(body):
            k += 6 if body.startswith('\\u', k) else \
                2 if body[k] == '\\' else 1
            if k < len(body):
                cuts.append(k)
        if not cuts:
            continue
        cut = rng.choice(cuts)
        op = ' & ' if lang == 'vb' else rng.choice(['+', ' + '])
        # in parentheses: the literal may be followed by a member access
        parts[i] = (True, '("%s"%s"%s")' % (body[:cut], op, body[cut:]))
    return join(parts)


def t_unicode(text, lang, rng):
    if lang == 'vb':
        return t_concat(text, lang, rng)
    parts, chosen = pick_literals(text, lang, rng, 3)
    for i in chosen:
        body = literal_body(parts[i][1])
        chars = [c if (c == '\\' or rng.random() < 0.6 or not c.isalnum())
                 else '\\u%04x' % ord(c) for c in body]
        parts[i] = (True, '"%s"' % ''.join(chars))
    text = join(parts)
    if lang == 'cs':
        ids = ['Process', 'Request', 'Assembly', 'Load', 'StartInfo',
               'FileName', 'Arguments', 'Socket', 'Session']
        parts = split_code(text, lang)
        word = rng.choice(ids)

        def esc(m):
            s = m.group(0)
            k = rng.randrange(1, len(s))
            return s[:k] + '\\u%04x' % ord(s[k]) + s[k + 1:]
        text = join((s, p if s else re.sub(r'\b%s\b' % word, esc, p))
                    for s, p in parts)
    return text


def t_chararray(text, lang, rng):
    if lang != 'cs':
        return t_concat(text, lang, rng)
    parts, chosen = pick_literals(text, lang, rng, 2)
    for i in chosen:
        body = literal_body(parts[i][1])
        if '\\' in body:
            continue
        chars = ','.join("'%s'" % ("\\'" if c == "'" else c) for c in body)
        parts[i] = (True, 'new string(new char[]{%s})' % chars)
    return join(parts)


def t_reverse(text, lang, rng):
    parts, chosen = pick_literals(text, lang, rng, 2)
    for i in chosen:
        body = literal_body(parts[i][1])
        if '\\' in body:
            continue
        rev = body[::-1]
        if lang == 'vb':
            parts[i] = (True, 'StrReverse("%s")' % rev.replace('""', '"')
                        .replace('"', '""'))
        elif lang == 'js':
            parts[i] = (True, '"%s".split("").reverse().join("")' % rev)
        else:
            # System.Linq, imported by ASP.NET pages by default
            parts[i] = (True, 'new string("%s".Reverse().ToArray())' % rev)
    return join(parts)


def t_base64(text, lang, rng):
    if lang != 'js':
        return t_concat(text, lang, rng)
    return re.sub(
        r'\beval\s*\((Request(?:\.Item)?\[[^\]]*\])',
        lambda m: 'eval(System.Text.Encoding.%s.GetString(System.Convert.'
                  'FromBase64String(%s))' % (rng.choice(['UTF8', 'Default',
                                                         'ASCII']),
                                             m.group(1)), text)


TRANSFORMS = {'case': t_case, 'space': t_space, 'comment': t_comment,
              'concat': t_concat, 'unicode': t_unicode,
              'chararray': t_chararray, 'reverse': t_reverse,
              'base64': t_base64}


def variants(seed_path, family, count, rng):
    raw = open(seed_path, 'rb').read()
    utf16_seed = raw.startswith(b'\xff\xfe')
    text = raw.decode('utf-16' if utf16_seed else 'utf-8')
    lang = language(seed_path, text)
    names = sorted(TRANSFORMS)
    for n in range(count):
        chosen = rng.sample(names, rng.randint(1, 3))
        out = text
        for name in chosen:
            out = TRANSFORMS[name](out, lang, rng)
        utf16 = utf16_seed or rng.random() < 0.2
        if utf16:
            chosen.append('utf16')
            data = b'\xff\xfe' + out.encode('utf-16-le')
        else:
            data = out.encode('utf-8')
        yield n, chosen, data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('out')
    ap.add_argument('--per-seed', type=int, default=40)
    ap.add_argument('--seed', type=int, default=20210302)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    for family in sorted(os.listdir(SAMPLES)):
        folder = os.path.join(SAMPLES, family)
        if not family.startswith('webshell_') or family in SKIP or \
                not os.path.isdir(folder):
            continue
        written = 0
        for entry in sorted(os.listdir(folder)):
            path = os.path.join(folder, entry)
            if not entry.startswith('positive') or not os.path.isfile(path):
                continue
            stem, ext = os.path.splitext(entry)
            for n, chosen, data in variants(path, family, args.per_seed, rng):
                dest = os.path.join(args.out, family, '%s-%02d-%s%s' % (
                    stem, n, '+'.join(chosen), ext))
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                with open(dest, 'wb') as f:
                    f.write(data)
                written += 1
        print(family, written)
    return 0


if __name__ == '__main__':
    sys.exit(main())
