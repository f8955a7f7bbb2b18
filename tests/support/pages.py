"""Reading a page as a person does."""
import html
import re


def text(response):
    """The response as a person reads it (entities such as &#39; decoded)."""
    return html.unescape(response.get_data(as_text=True))


def words(response):
    """The page's text as read: inline tags vanish, block tags break words apart."""
    raw = re.sub(r"</?(strong|code|em|small|span|a)\b[^>]*>", "", response.get_data(as_text=True))
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", raw)).split())
