# SPDX-License-Identifier: MIT
"""What the built programs say about themselves: the one source of the man
pages' synopses and options, and what docs/ is checked against."""

import os
import re
import subprocess


def run(program, *args):
    """PROGRAM ARGS' standard output; a program that fails or hangs is an error."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    # Run at build time from a sanitizer build too: its leak report is not the help.
    env.setdefault("ASAN_OPTIONS", "detect_leaks=0")
    result = subprocess.run([program, *args], capture_output=True, text=True, timeout=60, env=env)
    if result.returncode != 0:
        raise SystemExit("%s %s exited %d: %s" % (program, " ".join(args), result.returncode, result.stderr.strip()))
    return result.stdout


def commands(overview):
    """The commands `clustr-qt --help` lists, in its order: (name, synopsis, summary)."""
    found = []
    for line in overview.splitlines():
        match = re.match(r"^  ([a-z]+)((?: \S+)*?) {2,}(\S.*)$", line)
        if match and match.group(1) not in [c[0] for c in found]:
            found.append((match.group(1), (match.group(1) + match.group(2)).strip(), match.group(3)))
    return found


def options(text):
    """Every --option a text names (`--cluster-OPTION=VALUE` counts as --cluster)."""
    return set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*[a-z0-9]", text))
