"""The language of the email templates a business writes: text with named placeholders in
single braces, `{customer_name}`, and nothing else. `{{` and `}}` are literal braces.

A tiny parser of its own rather than Jinja, on purpose: there are no expressions, attribute
look-ups, filters or loops to sandbox, so a template can read only the values it is handed
for its placeholders. Anything else between braces is refused when the template is saved,
with the line it is on (`check`); rendering never evaluates what a template says.

The formatted body is a small safe subset of Markdown: paragraphs (a blank line between),
**bold**, *italic*, lists ("- " or "1. " lines) and [links](https://...) to http(s) only.
Everything else is escaped, and so is every placeholder's value."""
import re
from dataclasses import dataclass
from html import escape

from ..kernel.errors import InvalidInput

NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
# Placeholder values stand in the formatted body as these marks while the Markdown subset is
# applied, so nothing a value holds is read as formatting.
_MARK_OPEN, _MARK_CLOSE = "\ue000", "\ue001"
_MARKED = re.compile(f"{_MARK_OPEN}(\\d+){_MARK_CLOSE}")


@dataclass(frozen=True)
class Rich:
    """A value with a text form and an HTML form of its own (an action button): the HTML is
    made by Rebook, never by the template, and trusted as such."""
    text: str
    html: str


@dataclass(frozen=True)
class Placeholder:
    name: str
    line: int


class TemplateProblem(InvalidInput):
    """A template that cannot be saved: what is wrong, on which line of which field."""


def parse(source, field="template"):
    """The template as a list of literal strings and Placeholders; refuses a broken one."""
    parts, literal, line, i = [], [], 1, 0
    while i < len(source):
        char = source[i]
        if char in "{}" and source[i:i + 2] in ("{{", "}}"):
            literal.append(char)
            i += 2
        elif char == "{":
            end = source.find("}", i)
            inside = source[i + 1:end] if end != -1 else ""
            if end == -1 or "\n" in inside or "{" in inside:
                raise TemplateProblem(f"Line {line} of the {field}: a {{ is not closed. Close "
                                      "the placeholder with }, or write {{ for a brace.")
            if not NAME.fullmatch(inside.strip()):
                raise TemplateProblem(
                    f"Line {line} of the {field}: {{{inside}}} is not a placeholder. Use one "
                    "of the names listed, like {customer_name}, or write {{ and }} for braces.")
            parts += ["".join(literal), Placeholder(inside.strip(), line)]
            literal = []
            i = end + 1
        elif char == "}":
            raise TemplateProblem(f"Line {line} of the {field}: a }} without its {{. Write }}}} "
                                  "for a brace.")
        else:
            line += char == "\n"
            literal.append(char)
            i += 1
    parts.append("".join(literal))
    return [p for p in parts if p != ""]


def check(source, allowed, field="template"):
    """Refuse a template that is broken or names a placeholder outside `allowed`."""
    for part in parse(source, field):
        if isinstance(part, Placeholder) and part.name not in allowed:
            raise TemplateProblem(
                f"Line {part.line} of the {field}: {{{part.name}}} is not a placeholder of this "
                f"email. It can use: {', '.join('{' + n + '}' for n in sorted(allowed))}.")


def names(source):
    return {p.name for p in parse(source) if isinstance(p, Placeholder)}


def _resolve(values, name):
    value = values.get(name, "")
    if callable(value):  # looked up only when a template uses it (a query, say), then kept
        value = values[name] = value()
    return value


def _value(values, name, html):
    value = _resolve(values, name)
    if isinstance(value, Rich):
        return value.html if html else value.text
    text = "" if value is None else str(value)
    return escape(text) if html else text


def render_text(source, values):
    """Plain text; a line that held only placeholders which came out empty (a button the
    policy does not offer) is left out rather than left blank."""
    values, lines = dict(values), []
    for raw in source.split("\n"):
        parts = parse(raw)
        out = "".join(p if isinstance(p, str) else _value(values, p.name, False) for p in parts)
        only_placeholders = parts and all(isinstance(p, Placeholder) or not p.strip()
                                          for p in parts)
        if only_placeholders and not out.strip() and any(isinstance(p, Placeholder)
                                                         for p in parts):
            continue
        lines.append(out)
    return "\n".join(lines)


def render_line(source, values):
    """A subject: one line, placeholders filled, line breaks in values flattened."""
    return " ".join(render_text(source, values).split())


# -- the formatted body ---------------------------------------------------------------------

_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"\*(?=\S)(.+?)(?<=\S)\*")
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s()<>\"']+)\)")
_BULLET = re.compile(r"[-*] +")
_NUMBER = re.compile(r"\d{1,3}[.)] +")


def _inline(escaped):
    escaped = _LINK.sub(r'<a href="\2">\1</a>', escaped)
    escaped = _BOLD.sub(r"<strong>\1</strong>", escaped)
    return _ITALIC.sub(r"<em>\1</em>", escaped)


def _list(lines, marker, tag):
    items = "".join(f"<li>{_inline(marker.sub('', line, count=1))}</li>" for line in lines)
    return f"<{tag}>{items}</{tag}>"


def _block(lines):
    if all(_BULLET.match(line) for line in lines):
        return _list(lines, _BULLET, "ul")
    if all(_NUMBER.match(line) for line in lines):
        return _list(lines, _NUMBER, "ol")
    return f"<p>{'<br>'.join(_inline(line) for line in lines)}</p>"


def render_html(source, values):
    """The formatted body as HTML: the template's text escaped and formatted, each value
    escaped (a Rich value's own HTML as it is). A paragraph that is one Rich value stands
    alone (a button is a table, not paragraph text); one that comes out empty is left out."""
    values = dict(values)
    parts = parse(source.replace(_MARK_OPEN, "").replace(_MARK_CLOSE, ""))
    filled = [_value(values, p.name, True) if isinstance(p, Placeholder) else None
              for p in parts]
    marked = "".join(escape(p) if isinstance(p, str) else f"{_MARK_OPEN}{i}{_MARK_CLOSE}"
                     for i, p in enumerate(parts))
    blocks = []
    for block in re.split(r"\n\s*\n", marked.replace("\r\n", "\n")):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        alone = _MARKED.fullmatch(lines[0]) if len(lines) == 1 else None
        if alone:
            index = int(alone.group(1))
            if not filled[index].strip():
                continue
            if isinstance(_resolve(values, parts[index].name), Rich):
                blocks.append(filled[index])
                continue
        blocks.append(_MARKED.sub(lambda m: filled[int(m.group(1))], _block(lines)))
    return "\n".join(blocks)
