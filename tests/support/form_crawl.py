"""Walk the app as a person would: follow its links, collect its forms with the values a browser
would send. Used by the form fuzz test; nothing here knows a route by name."""
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

from werkzeug.exceptions import HTTPException

SKIP_PREFIXES = ("/static/", "/api/")


@dataclass
class Form:
    method: str
    action: str  # path with any query, as the browser would send it
    page: str  # where it was found
    fields: list = field(default_factory=list)  # (name, value) in document order
    options: dict = field(default_factory=dict)  # a select's name: every value it offers

    def names(self):
        return [name for name, _ in self.fields if name != "csrf_token"]

    def data(self, **changes):
        """What the browser sends, with `changes` replacing fields of those names."""
        sent, done = [], set()
        for name, value in self.fields:
            if name in changes:
                if name not in done:
                    sent.append((name, changes[name]))
                    done.add(name)
            else:
                sent.append((name, value))
        return sent


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.links, self._form, self._select, self._textarea = [], [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("href", "hx-get"):
            if a.get(key):
                self.links.append(a[key])
        if tag == "form":
            method = "post" if (a.get("method", "get").lower() == "post" or a.get("hx-post")) \
                else "get"
            self._form = Form(method, a.get("hx-post") or a.get("action") or "", "")
            self.forms.append(self._form)
        if self._form is not None and tag == "button" and (a.get("formaction") or
                                                           a.get("hx-post")):
            # Another button, another address: the same fields posted elsewhere.
            other = Form("post", a.get("hx-post") or a["formaction"], "", self._form.fields)
            self.forms.append(other)
        if tag == "option" and self._select is not None and "disabled" not in a:
            self._form.options[self._select[0]].append(a.get("value", ""))
            if self._select[1] is None or ("selected" in a and not self._select[2]):
                self._select[1], self._select[2] = a.get("value", ""), "selected" in a
        if self._form is None or not a.get("name"):
            return
        name, kind = a["name"], (a.get("type") or "text").lower()
        if tag == "input" and kind in ("checkbox", "radio"):
            if "checked" in a or (kind == "radio" and name not in self._form.names()):
                self._form.fields.append((name, a.get("value", "on")))
        elif tag == "input" and kind not in ("submit", "button", "image", "reset", "file"):
            self._form.fields.append((name, a.get("value", "")))
        elif tag == "button" and kind == "submit" and "value" in a:
            if name not in self._form.names():
                self._form.fields.append((name, a["value"]))
        elif tag == "select":
            self._select = [name, None, False]
            self._form.options[name] = []
        elif tag == "textarea":
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None and self._form is not None:
            if self._select[1] is not None:
                self._form.fields.append((self._select[0], self._select[1]))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.fields.append(tuple(self._textarea))
            self._textarea = None
        elif tag == "form":
            self._form = None


def local(url, base):
    """The path (and query) of a same-site URL, or None for another site or a fragment."""
    full = urljoin("http://localhost" + base, url)
    parts = urlsplit(full)
    if parts.netloc != "localhost" or not parts.path.startswith("/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def endpoint(app, path, method="GET"):
    adapter = app.url_map.bind("localhost")
    try:
        return adapter.match(urlsplit(path).path, method=method)[0]
    except HTTPException:
        return None


def crawl(app, client, start, per_endpoint=8, limit=400):
    """GET pages breadth-first from `start`; returns (forms, pages visited). At most
    `per_endpoint` pages of one route (a booking in each state shows different forms)."""
    queue, seen, counts, forms, visited = list(start), set(), {}, {}, []
    while queue and len(visited) < limit:
        path = queue.pop(0)
        name = endpoint(app, path)
        if path in seen or path.startswith(SKIP_PREFIXES) or name is None:
            continue
        seen.add(path)
        if counts.get(name, 0) >= per_endpoint:
            continue
        response = client.get(path)
        body = response.get_data(as_text=True)  # a streamed CSV is read through, and closed
        visited.append((path, response.status_code))
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        counts[name] = counts.get(name, 0) + 1  # pages that showed something
        page = _Page()
        page.feed(body)
        for link in page.links:
            target = local(link, path)
            if target:
                queue.append(target)
        for form in page.forms:
            if form.method == "get":  # a filter or a choice: each option is a page to see
                target = local(form.action or path, path).split("?")[0]
                queue += [f"{target}?{urlencode(form.data(**{name: value}))}"
                          for name, values in form.options.items() for value in values]
            form.action, form.page = local(form.action or path, path) or path, path
            key = (form.method, endpoint(app, form.action, form.method.upper()),
                   tuple(sorted(set(form.names()))))
            forms.setdefault(key, form)
    return list(forms.values()), visited
