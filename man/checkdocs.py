#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The test `manpages`: the programs' --help, docs/CLI.md and the generated
man pages say the same.

  checkdocs.py --cli BIN --source DIR --man DIR

- every command `clustr-qt --help` lists has a section in docs/CLI.md and
  one in clustr-qt.1;
- every option a `clustr-qt COMMAND --help` lists (its usage and its option
  lines) is in CLI.md's section of that command (for control commands, or in
  "Options of every control command"), and every option CLI.md's synopsis of
  the command shows is in its --help;
- groff, where installed, renders every page without a warning.
Exits 1 naming each difference, 0 when there is none."""

import argparse
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import programhelp  # noqa: E402

COMMON_SECTION = "Options of every control command"


def headings(markdown):
    """(level, title, text up to the next heading of that level or above)."""
    found = list(re.finditer(r"^(#+) (.*)$", markdown, re.M))
    result = []
    for i, match in enumerate(found):
        level = len(match.group(1))
        end = len(markdown)
        for later in found[i + 1:]:
            if len(later.group(1)) <= level:
                end = later.start()
                break
        result.append((level, match.group(2), markdown[match.end():end]))
    return result


def listed_options(help_text):
    """The options a --help lists: in its usage lines and as its option lines."""
    listed = []
    in_usage = False
    for line in help_text.splitlines():
        if line.startswith("usage:"):
            in_usage = True
        elif not line.startswith("   "):  # a usage goes on in deeper indented lines
            in_usage = False
        option_line = re.match(r"^ {2,4}(--?[\w-]+(?:, --?[\w-]+)?)", line)
        if in_usage:
            listed.append(line)
        elif option_line:
            listed.append(option_line.group(1))
    return programhelp.options("\n".join(listed))


def command_sections(doc, command):
    """CLI.md's sections whose title names the command (as a word, in its case)."""
    return [text for level, title, text in headings(doc) if level >= 2 and re.search(r"(?<![\w-])%s(?![\w-])" % command, title)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cli", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--man", required=True)
    args = parser.parse_args()
    problems = []
    checks = 0

    with open(os.path.join(args.source, "docs/CLI.md"), encoding="utf-8") as f:
        doc = f.read()
    with open(os.path.join(args.man, "clustr-qt.1"), encoding="utf-8") as f:
        page = f.read()
    common = [text for level, title, text in headings(doc) if title == COMMON_SECTION]
    if not common:
        problems.append('docs/CLI.md: no section "## %s"' % COMMON_SECTION)

    commands = programhelp.commands(programhelp.run(args.cli, "--help"))
    if len(commands) < 10:
        problems.append("clustr-qt --help lists only %d commands: %s" % (len(commands), [c[0] for c in commands]))
    for name, synopsis, _ in commands:
        checks += 1
        sections = command_sections(doc, name)
        if not sections:
            problems.append("docs/CLI.md: no section (## or ###) names the command %s" % name)
        if not re.search(r'^\.SS "%s\b' % re.escape(name), page, re.M):
            problems.append("clustr-qt.1: no subsection for the command %s" % name)
        help_text = programhelp.run(args.cli, name, "--help")
        documented = "\n".join(sections)
        if "every control command" in help_text:
            documented += "\n".join(common)
        for option in sorted(listed_options(help_text)):
            checks += 1
            if option not in programhelp.options(documented):
                problems.append("docs/CLI.md: the section of %s does not mention %s (in `clustr-qt %s --help`)" % (name, option, name))
        # CLI.md's synopses of the command show nothing its --help does not know.
        for synopsis_line in re.findall(r"^clustr-qt %s\b.*$" % name, "\n".join(sections), re.M):
            for option in sorted(programhelp.options(synopsis_line)):
                checks += 1
                if option not in programhelp.options(help_text):
                    problems.append("docs/CLI.md: `%s` shows %s, which `clustr-qt %s --help` does not" % (synopsis_line, option, name))

    groff = shutil.which("groff")
    if groff:
        for page_name in sorted(os.listdir(args.man)):
            if not re.search(r"\.[15]$", page_name):
                continue
            checks += 1
            result = subprocess.run([groff, "-man", "-Tutf8", "-ww", "-z", os.path.join(args.man, page_name)],
                                    capture_output=True, text=True, timeout=60)
            if result.returncode != 0 or result.stderr.strip():
                problems.append("%s: groff warns: %s" % (page_name, result.stderr.strip()))
    else:
        print("checkdocs: groff is not installed: the pages are not rendered")

    for problem in problems:
        print("FAIL: " + problem)
    print("%d passed, %d failed" % (checks - len(problems), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
