"""Logging in and out through the forms, as a person would, with the page's CSRF token; and
every form class of the app, with input most of them take, for the tests that compare kept
form steps with WTForms' own."""
import importlib
import pkgutil
import re

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html):
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def login(client, email, password="demo"):
    page = client.get("/login")
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def logout(client):
    """Log out through the form, as a person would (any logged-in page carries the token)."""
    page = client.get("/login", follow_redirects=True).get_data(as_text=True)
    assert client.post("/logout", data={"csrf_token": csrf_from(page)}).status_code == 302


# Input the app's forms take (each form reads the fields it has).
SENT = {"note": "Running late", "reason": "3", "version": "7", "fee": "12.50", "scope": "this",
        "email": "a@example.com", "name": "Casey", "add_fee": "y"}


def every_form():
    """Every subclass of the app's forms.Form, each module of portal.web imported first."""
    import portal.web
    from portal.web.forms import Form
    for module in pkgutil.walk_packages(portal.web.__path__, "portal.web."):
        importlib.import_module(module.name)
    found, todo = set(), [Form]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.add(sub)
            todo.append(sub)
    return sorted(found, key=lambda form: (form.__module__, form.__qualname__))
