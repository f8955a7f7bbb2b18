"""The confirmation step for actions that can't be undone from the page (rotate a secret,
deactivate staff, revoke a token). The page's button is a link to a GET that asks the question:
htmx opens it as a modal, without JavaScript it is a page. Its form is a plain POST carrying
`confirmed`; the action's view refuses a POST without it (ConfirmForm) and changes nothing."""
from .htmx import fragment_or_page


def confirm_step(*, title: str, question: str, action: str, label: str, back: str,
                 status: int = 200, error: str | None = None, danger: bool = True):
    """The question as a modal (htmx) or a page; `action` is the POST that acts."""
    return fragment_or_page("app/_confirm_modal.html", "app/confirm.html", status=status,
                            title=title, question=question, action=action, label=label,
                            back=back, error=error, danger=danger)
