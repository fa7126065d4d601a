#!/usr/bin/env python3
"""Top hashtags of NDJSON posts, the plain-Python way: json.loads per line,
a Unicode-aware regex over the text field, str.casefold() and a Counter.

Usage: hashtags.py [-n N] [FILE]   (stdin when FILE is absent or "-")

The regex takes '#' or '＃' followed by letters, combining marks, digits and
'_', at least one of them a letter, when the sign does not follow a word
character or '&'.  That is close to the twitter-text rules that tokenize
implements, not the whole of them: there is no URL detection (a fragment
such as "x.com/a#b" is skipped only because '#' follows a word character),
and no NFC normalisation before case folding.
"""
import collections
import json
import re
import sys

WORD = r"[\w\u0300-\u036f]"
HASHTAG = re.compile(r"(?<![\w&])[#＃](%s*[^\W\d_]%s*)" % (WORD, WORD))


def count(stream, n):
    counts = collections.Counter()
    for line in stream:
        text = json.loads(line).get("text")
        if isinstance(text, str):
            counts.update(t.casefold() for t in HASHTAG.findall(text))
    return counts.most_common(n)


def main(argv):
    n = 10
    if len(argv) >= 2 and argv[0] == "-n":
        n = int(argv[1])
        argv = argv[2:]
    path = argv[0] if argv else "-"
    if path == "-":
        stream = open(sys.stdin.fileno(), encoding="utf-8", closefd=False)
    else:
        stream = open(path, encoding="utf-8")
    with stream:
        for tag, c in count(stream, n):
            print(c, "#" + tag)


if __name__ == "__main__":
    main(sys.argv[1:])
