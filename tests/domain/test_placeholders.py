"""The business's email templates' own little language (messaging/placeholders.py): names in
single braces and nothing else, refused at save with the line, values always escaped."""
import pytest

from portal.messaging.placeholders import (Rich, TemplateProblem, check, names, render_html,
                                           render_line, render_text)

ALLOWED = {"customer_name", "service", "cancel_button"}
BUTTON = Rich("Cancel booking:\nhttps://x.test/l/abc", '<table class="button">Cancel</table>')


def test_placeholders_are_filled_and_braces_escape():
    values = {"customer_name": "Casey", "service": "Deep clean"}
    assert render_text("Hi {customer_name}: {service} {{ok}}", values) == \
        "Hi Casey: Deep clean {ok}"


@pytest.mark.parametrize("source, line, words", [
    ("Hello\n\nDear {config}", 3, "{config} is not a placeholder of this email"),
    ("Hi {customer.__class__}", 1, "{customer.__class__} is not a placeholder"),
    ("one\n{customer_name", 2, "a { is not closed"),
    ("one\ntwo\nthree }", 3, "a } without its {"),
    ("{% for x in config %}", 1, "is not a placeholder"),
    ("{customer_name[0]}", 1, "is not a placeholder"),
    ("{ {customer_name} }", 1, "a { is not closed"),
    ("{}", 1, "{} is not a placeholder"),
])
def test_a_broken_or_unknown_placeholder_is_refused_with_its_line(source, line, words):
    with pytest.raises(TemplateProblem) as refused:
        check(source, ALLOWED, "text body")
    assert f"Line {line} of the text body" in refused.value.message
    assert words in refused.value.message
    assert refused.value.status == 422


def test_doubled_braces_around_jinja_are_only_text():
    source = "{{%for x in config%}}{{{{ config.SECRET_KEY }}}}"
    check(source, ALLOWED)
    assert names(source) == set()
    assert render_text(source, {}) == "{%for x in config%}{{ config.SECRET_KEY }}"


def test_values_are_escaped_in_html_but_not_in_text():
    values = {"customer_name": "<script>alert(1)</script> & \"co\""}
    html = render_html("Hello **{customer_name}**", values)
    assert html == ("<p>Hello <strong>&lt;script&gt;alert(1)&lt;/script&gt; &amp; "
                    "&quot;co&quot;</strong></p>")
    assert render_text("Hello {customer_name}", values).startswith("Hello <script>")


def test_a_value_is_never_read_as_formatting():
    assert render_html("{customer_name}", {"customer_name": "**x** [a](https://e.test)"}) == \
        "<p>**x** [a](https://e.test)</p>"


def test_the_formatted_subset():
    html = render_html("Para *one*\nline two\n\n- a\n- b\n\n1. x\n2. y\n\n"
                       "[site](https://e.test/a?b=1&c=2) [bad](javascript:alert(1)) <b>raw</b>",
                       {})
    assert html.split("\n") == [
        "<p>Para <em>one</em><br>line two</p>", "<ul><li>a</li><li>b</li></ul>",
        "<ol><li>x</li><li>y</li></ol>",
        '<p><a href="https://e.test/a?b=1&amp;c=2">site</a> [bad](javascript:alert(1)) '
        "&lt;b&gt;raw&lt;/b&gt;</p>"]


def test_a_button_stands_alone_and_vanishes_when_not_offered():
    source = "Hi\n\n{cancel_button}\n\nBye"
    assert render_html(source, {"cancel_button": BUTTON}) == \
        '<p>Hi</p>\n<table class="button">Cancel</table>\n<p>Bye</p>'
    assert render_html(source, {"cancel_button": ""}) == "<p>Hi</p>\n<p>Bye</p>"
    text = "Hi\n{cancel_button}\nBye"
    assert render_text(text, {"cancel_button": BUTTON}) == \
        "Hi\nCancel booking:\nhttps://x.test/l/abc\nBye"
    assert render_text(text, {"cancel_button": ""}) == "Hi\nBye"


def test_a_lazy_value_is_asked_for_once_and_only_when_used():
    asked = []

    def fieldworker():
        asked.append(1)
        return "Fred"
    assert render_text("{service}", {"service": "x", "fieldworker": fieldworker}) == "x"
    assert asked == []
    assert render_text("{fieldworker} and {fieldworker}", {"fieldworker": fieldworker}) == \
        "Fred and Fred"
    assert asked == [1]


def test_a_subject_is_one_line():
    assert render_line("Hi {customer_name}", {"customer_name": "A\nB"}) == "Hi A B"
