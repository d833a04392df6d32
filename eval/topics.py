#!/usr/bin/env python3
"""Write each topic of a TREC topics file as its own text file.

Usage: topics.py TOPICS_XML OUTDIR

For every <topic number="N"> element, OUTDIR/N.txt receives the topic's
text, unescaped, with leading and trailing white space removed and a final
newline.  Files whose content would not change are left alone, so make sees
them as up to date.  Exit status 0, or 1 with a message when the file
cannot be read or holds no topic.
"""
import os
import sys
import xml.etree.ElementTree as ET


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: topics.py TOPICS_XML OUTDIR\n")
        return 2
    src, outdir = argv[1], argv[2]
    try:
        root = ET.parse(src).getroot()
    except (OSError, ET.ParseError) as e:
        sys.stderr.write("topics.py: %s: %s\n" % (src, e))
        return 1
    topics = root.findall("topic")
    if not topics:
        sys.stderr.write("topics.py: %s: no <topic> element\n" % src)
        return 1
    os.makedirs(outdir, exist_ok=True)
    for t in topics:
        num = (t.get("number") or "").strip()
        if not num.isdigit():
            sys.stderr.write("topics.py: %s: topic without a number\n" % src)
            return 1
        text = "".join(t.itertext()).strip() + "\n"
        path = os.path.join(outdir, num + ".txt")
        try:
            with open(path, encoding="utf-8") as f:
                if f.read() == text:
                    continue
        except OSError:
            pass
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
