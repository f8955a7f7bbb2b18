"""The input guard reads a URL-encoded body itself (input_guard._form): the request ends up with
the form, files and stream werkzeug's own parsing gives it, or the same error, for every kind of
body; and a form too long or with a control character is still refused, nothing changed."""
import io

import pytest
from werkzeug.exceptions import RequestEntityTooLarge

from portal.web.app.input_guard import URLENCODED, _form

BODIES = [b"version=3&csrf_token=abc.def", b"a=1&a=2&b=&c", b"note=caf%C3%A9+au+lait%21&x=%FF",
          b"", b"n=\xff\xfe", b"%00=%01&k=v;w", b"x=" + b"y" * 5000,
          b"=&&a&b=c=d&=v&k&", b"n=a\x00b&t=\xc3\xbc\t", b"n" * 201]


def environ(body, length=None, content_type=URLENCODED, **extra):
    return {"REQUEST_METHOD": "POST", "PATH_INFO": "/login", "SERVER_NAME": "localhost",
            "SERVER_PORT": "80", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
            "CONTENT_TYPE": content_type,
            "CONTENT_LENGTH": str(len(body)) if length is None else length, **extra}


def read(app, env, werkzeugs):
    """(form, files, what is left of the stream) or the error, read one way or the other."""
    with app.request_context(env) as ctx:
        try:
            form = ctx.request.form if werkzeugs else _form(ctx.request, app)[0]
        except RequestEntityTooLarge as exc:
            return type(exc)
        req = ctx.request
        return (list(form.items(multi=True)), type(form), list(req.files.items()),
                type(req.files), req.stream.read(), req.get_data(), req.__dict__["stream"].__class__)


CASES = [environ(body) for body in BODIES] + [
    environ(b"a=1&b=2", length="3"),  # a body longer than it says: only what it says is read
    environ(b"a=1", length=" 3"), environ(b"a=1", length="-3"), environ(b"a=1", length="x"),
    environ(b"a=1", length="99999999"),  # past MAX_CONTENT_LENGTH: 413
    environ(b"x=" + b"y" * 600_000),  # under MAX_CONTENT_LENGTH, past MAX_FORM_MEMORY_SIZE: 413
    environ(b"a=1&b=2", **{"wsgi.input_terminated": True}),
    environ(b"a=1", HTTP_TRANSFER_ENCODING="chunked"),
    environ(b"a=1", content_type=URLENCODED + "; charset=UTF-8"),
    environ(b"a=1", content_type="text/plain"),
]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_the_guards_read_is_werkzeugs(app, case):
    def fresh():
        env = dict(CASES[case])
        env["wsgi.input"] = io.BytesIO(CASES[case]["wsgi.input"].getvalue())
        return env
    assert read(app, fresh(), werkzeugs=False) == read(app, fresh(), werkzeugs=True)


def test_bad_form_input_is_still_refused(app):
    client = app.test_client()
    for data, words in (({"email": "a\x00b"}, "control character"),
                        ({"email": "x" * 20_000}, "too long")):
        response = client.post("/login", data=data)
        assert response.status_code == 422 and words in response.get_data(as_text=True)


def test_a_form_read_without_unquoting_is_parse_qsls_and_clean_means_no_problem(app):
    """Random short bodies over the characters a form sends, "%" and "+" left out (those go
    through parse_qsl): the pairs are parse_qsl's, and a body called clean is one problem()
    finds nothing wrong with."""
    import random
    from urllib.parse import parse_qsl

    from portal.web.app.input_guard import problem
    rng = random.Random(11)
    alphabet = "ab=&&.-_~;:/ \x00\x7f\t\u00fc"
    for _ in range(3000):
        body = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        if rng.random() < 0.05:
            body += "v" * rng.choice((180, 190, 200, 201))
        env = environ(body.encode())
        with app.request_context(env) as ctx:
            form, clean = _form(ctx.request, app)
            pairs = list(form.items(multi=True))
            assert pairs == list(type(form)(parse_qsl(body, keep_blank_values=True))
                                 .items(multi=True)), body
            assert not clean or problem(pairs) is None, body
            assert clean == (len(body) <= 200 and problem(pairs) is None), body
