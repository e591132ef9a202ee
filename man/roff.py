# SPDX-License-Identifier: MIT
"""Roff (man(7)) from the two kinds of text the man pages are made of: the
programs' --help output and the Markdown of docs/. Only what those texts use
is understood; anything else passes through as plain paragraphs."""

import re


def escape(text):
    """Plain text as roff: a backslash is printed, not interpreted, and
    characters beyond ASCII are named (groff reads its input as Latin-1)."""
    text = text.replace("\\", "\\e")
    return "".join(c if ord(c) < 128 else "\\[u%04X]" % ord(c) for c in text)


def protect(line):
    """A line that would start with a control character starts with \\& instead."""
    return "\\&" + line if line.startswith((".", "'")) else line


def literal(text):
    """Something to type (an option, a command, a path): minus signs are ASCII hyphens."""
    return escape(text).replace("-", "\\-")


def inline(text):
    """Markdown inline markup as roff: `code` bold, [text](link) as text."""
    out = []
    # links first: their text may be code, and may hold brackets itself
    text = re.sub(r"!?\[((?:[^\[\]]|\[[^\]]*\])*)\]\([^)]*\)", r"\1", text)
    for i, part in enumerate(re.split(r"(`[^`]*`)", text)):
        if i % 2:
            code = literal(part[1:-1])
            if len(code) > 30:  # a long URL may break after its separators, not run off the line
                code = re.sub(r"([/&?,\]])(?!$)", r"\1\\:", code)
            out.append("\\fB" + code + "\\fR")
            continue
        part = escape(part.replace("\\|", "|"))
        part = re.sub(r"\*\*([^*]+)\*\*", r"\\fB\1\\fR", part)
        out.append(part)
    return "".join(out)


def paragraph(lines):
    return [".PP", protect(" ".join(l.strip() for l in lines))]


def table_cells(line):
    cells = re.split(r"(?<!\\)\|", line.strip())
    return [c.strip() for c in cells[1:-1]]


def markdown(text, skip_title=True):
    """Markdown as roff: ## is a section (.SH), ### and below subsections (.SS)."""
    out = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            i += 1
        elif stripped.startswith("<!--"):
            while "-->" not in lines[i]:
                i += 1
            i += 1
        elif stripped.startswith("```"):
            i += 1
            block = []
            while i < len(lines) and not lines[i].strip().startswith("```"):
                block.append(lines[i])
                i += 1
            i += 1
            out += [".PP", ".RS 4", ".nf"] + [protect(escape(l)) for l in block] + [".fi", ".RE"]
        elif re.match(r"#+ ", line):
            level, title = line.split(" ", 1)
            if len(level) == 1:
                if not skip_title:
                    out += [".SH " + inline(title).upper()]
            elif len(level) == 2:
                out += [".SH \"" + inline(title).upper() + "\""]
            else:
                out += [".SS \"" + inline(title) + "\""]
            i += 1
        elif stripped.startswith("|"):
            header = table_cells(line)
            i += 2  # the header and the |---| line
            while i < len(lines) and lines[i].strip().startswith("|"):
                cells = table_cells(lines[i])
                rest = []
                for name, cell in zip(header[1:-1], cells[1:-1]):
                    rest.append(inline(name) + ": " + inline(cell) + ".")
                rest.append(inline(cells[-1]) if len(cells) > 1 else "")
                out += [".TP", protect(inline(cells[0])), protect(" ".join(rest))]
                i += 1
        elif re.match(r"\s*([-*]|\d+\.) ", line):
            marker = re.match(r"\s*([-*]|\d+\.) ", line)
            bullet = "\\(bu" if marker.group(1) in "-*" else marker.group(1)
            item = [line[marker.end():]]
            i += 1
            while i < len(lines) and lines[i].startswith("  ") and not re.match(r"\s*([-*]|\d+\.) ", lines[i]):
                item.append(lines[i])
                i += 1
            out += [".IP " + bullet + " 4", protect(inline(" ".join(l.strip() for l in item)))]
        elif stripped.startswith("!["):
            i += 1
        else:
            block = []
            while i < len(lines) and lines[i].strip() and not re.match(r"(```|#+ |\||\s*([-*]|\d+\.) |<!--)", lines[i].strip()):
                block.append(lines[i])
                i += 1
            out += paragraph([inline(l) for l in block])
    return out


def tagged(entries):
    out = []
    for tag, description in entries:
        out += [".TP", protect("\\fB" + literal(tag) + "\\fR"), protect(escape(" ".join(description)))]
    return out


def help_text(text):
    """A program's --help as roff: its usage line bold, "  NAME  what" lines
    as tagged paragraphs, everything else as paragraphs."""
    out = []
    for block in re.split(r"\n\s*\n", text.strip("\n")):
        lines = block.splitlines()
        if lines[0].lower().startswith("usage:"):
            # one synopsis per line that names the program, continued by indented lines
            synopses = [lines[0][len("usage:"):].strip()]
            program = synopses[0].split(" ")[0]
            lines = lines[1:]
            while lines and lines[0].startswith("   "):
                if lines[0].strip().startswith(program + " "):
                    synopses.append(lines[0].strip())
                else:
                    synopses[-1] += " " + lines[0].strip()
                lines = lines[1:]
            out += [".PP"]
            for number, synopsis in enumerate(synopses):
                words = synopsis.split(" ")
                # the program and its command word bold, the arguments as they are
                command = [words.pop(0)]
                while words and re.match(r"^[a-z][a-z-]*$", words[0]):
                    command.append(words.pop(0))
                out += ([".br"] if number else []) + [protect("\\fB" + literal(" ".join(command)) + "\\fR " + literal(" ".join(words)))]
            if not lines:
                continue
        text_lines = []
        entries = []  # (tag, [description lines])
        for line in lines:
            # "  --option ARG  what" (one space may do after an option's
            # argument: "--timeout SECONDS how long") or "  word...  what"
            entry = (re.match(r"^ {2,4}(--?[\w-]+(?:, --?[\w-]+)?(?:[ =]<?[A-Z][\w:.=\[\]<>|-]*)?) +(\S.*)$", line)
                     or re.match(r"^ {2,4}(\S.*?)(?: {2,}|\t)(\S.*)$", line))
            if entry:
                out += paragraph([escape(l) for l in text_lines]) if text_lines else []
                text_lines = []
                entries.append((entry.group(1), [entry.group(2)]))
            elif entries and line.startswith("     "):
                entries[-1][1].append(line.strip())
            else:
                out += tagged(entries)
                entries = []
                text_lines.append(line)
        out += paragraph([escape(l) for l in text_lines]) if text_lines else []
        out += tagged(entries)
    return out
