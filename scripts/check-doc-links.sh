#!/usr/bin/env bash
# Checks the relative links of the repository's Markdown files.
#
#   scripts/check-doc-links.sh [FILE.md]...
#
# For every tracked *.md file (or the files given), every relative link, [text](path), [text](path#anchor),
# ![figure](path) and [text](#anchor), must name a file or folder that exists, and an anchor must match a heading of
# the Markdown file it points into (GitHub's anchors: the heading lower-cased, punctuation other than - and _ dropped,
# spaces turned into -; a repeated heading gets -1, -2, ...). Links with a scheme (https:, mailto:) are not fetched.
# Links inside code blocks and inline code are ignored. Prints one line per broken link, FILE:LINE: what is wrong,
# then a summary; exits 1 when a link is broken, 0 otherwise. Needs python3.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
case "${1:-}" in -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac
cd "$root"
if [[ $# -gt 0 ]]; then files=("$@"); else mapfile -t files < <(git ls-files --cached --others --exclude-standard '*.md'); fi

python3 - "${files[@]}" <<'PY'
import os, re, sys, unicodedata

def slug(heading):
    text = re.sub(r'`([^`]*)`', r'\1', heading)              # inline code keeps its text
    text = re.sub(r'!?\[([^\]]*)\]\([^)]*\)', r'\1', text)     # a link keeps its text
    text = text.strip().lower()
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in '-_' or cat[0] in 'LN' or cat == 'Mn':
            out.append(ch)
        elif ch == ' ':
            out.append('-')
    return ''.join(out)

anchor_cache = {}
def anchors(path):
    if path not in anchor_cache:
        seen, result, fence = {}, set(), None
        for line in open(path, encoding='utf-8'):
            stripped = line.strip()
            m = re.match(r'^(`{3,}|~{3,})', stripped)
            if m:
                fence = None if fence and stripped.startswith(fence) else (fence or m.group(1))
                continue
            if fence: continue
            h = re.match(r'^#{1,6}\s+(.*?)\s*#*\s*$', line)
            if not h: continue
            base = slug(h.group(1))
            n = seen.get(base, 0)
            result.add(base if n == 0 else f'{base}-{n}')
            seen[base] = n + 1
        anchor_cache[path] = result
    return anchor_cache[path]

link = re.compile(r'!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)')
broken = checked = 0
for md in sys.argv[1:]:
    if not os.path.isfile(md):
        print(f'{md}: no such file'); broken += 1; continue
    fence = None
    for number, line in enumerate(open(md, encoding='utf-8'), 1):
        stripped = line.strip()
        m = re.match(r'^(`{3,}|~{3,})', stripped)
        if m:
            fence = None if fence and stripped.startswith(fence) else (fence or m.group(1))
            continue
        if fence or line.startswith('    '): continue
        text = re.sub(r'`[^`]*`', '', line)
        for target in link.findall(text):
            if re.match(r'^[a-zA-Z][a-zA-Z0-9+.-]*:', target): continue
            checked += 1
            path, _, anchor = target.partition('#')
            dest = os.path.normpath(os.path.join(os.path.dirname(md), path)) if path else md
            if path and not os.path.exists(dest):
                print(f'{md}:{number}: {target}: {dest} does not exist'); broken += 1; continue
            if anchor and dest.endswith('.md') and anchor not in anchors(dest):
                print(f'{md}:{number}: {target}: no heading with anchor #{anchor} in {dest}'); broken += 1
print(f'check-doc-links: {checked} relative links in {len(sys.argv) - 1} files, {broken} broken')
sys.exit(1 if broken else 0)
PY
