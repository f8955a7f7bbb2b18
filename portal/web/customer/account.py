"""Customer accounts: set a password from an emailed link, forgot it, change it, own details."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ...accounts import email_change, passwords, profile, tokens
from ...accounts.models import INVITE, RESET
from ...accounts.throttle import TooManyAttempts
from ...kernel import languages
from ...kernel.clock import utcnow
from ...kernel.i18n import N_
from ...kernel.errors import DomainError, InvalidInput
from ..app.access import customer_required
from ..app.auth import sign_in
from .account_forms import (ChangePasswordForm, ConfirmEmailForm, DetailsForm, ForgotPasswordForm,
                            SetPasswordForm)

bp = Blueprint("account", __name__)

TITLES = {INVITE: "Set your password", RESET: "Choose a new password"}
DONE = {INVITE: N_("Your password is set and you're logged in. Welcome!"),
        RESET: N_("Your password is changed and you're logged in. Any other sessions have ended.")}


def _form_error(form, exc):
    """Put a domain InvalidInput next to the field it names (its code)."""
    field = getattr(form, exc.code, None)
    (field.errors if field is not None else form.form_errors).append(exc.message)


def _set_password(purpose, token):
    form = SetPasswordForm()
    try:
        customer = tokens.read(purpose, token, utcnow()).customer
        if form.validate_on_submit():
            customer = passwords.set_password_with_link(purpose, token, form.password.data,
                                                        form.confirm.data)
            sign_in(customer)
            flash(_(DONE[purpose]), "success")
            return redirect(url_for("customer.bookings.index"))
    except InvalidInput as exc:
        _form_error(form, exc)
    except DomainError as exc:  # used, expired, tampered, wrong purpose
        return (render_template("customer/account/link_problem.html", message=exc.message),
                exc.status)
    return render_template("customer/account/set_password.html", form=form, customer=customer,
                           title=TITLES[purpose]), 422 if form.errors else 200


@bp.route("/account/invite/<token>", methods=["GET", "POST"])
def invite(token):
    return _set_password(INVITE, token)


@bp.route("/account/reset/<token>", methods=["GET", "POST"])
def reset(token):
    return _set_password(RESET, token)


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot():
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        return render_template("customer/account/forgot.html", form=form)
    try:
        passwords.request_reset(form.email.data, request.remote_addr)
    except TooManyAttempts as exc:
        return render_template("customer/account/forgot.html", form=form,
                               limited=exc.message), 429, {
            "Retry-After": str(exc.retry_after)}
    return render_template("customer/account/forgot.html", form=form, sent=True)


@bp.route("/account/password", methods=["GET", "POST"])
@customer_required
def password():
    form, status = ChangePasswordForm(), 200
    if form.validate_on_submit():
        try:
            customer = passwords.change_password(
                current_user.id, form.current_password.data, form.password.data,
                form.confirm.data, request.remote_addr)
        except (InvalidInput, TooManyAttempts) as exc:
            _form_error(form, exc)
            status = exc.status
        else:
            sign_in(customer)  # a new session with the new epoch; the others have ended
            flash(_("Your password is changed. You were logged out everywhere else."), "success")
            return redirect(url_for(".details"))
    return render_template("customer/account/password.html", form=form), status


@bp.route("/account", methods=["GET", "POST"])
@customer_required
def details():
    form, status, headers = DetailsForm(obj=current_user), 200, {}
    if form.validate_on_submit():
        try:
            saved, new_email = profile.update_details(
                current_user.id, form.name.data, form.email.data, form.phone.data,
                form.address.data, form.current_password.data, request.remote_addr,
                language=form.language.data)
        except (InvalidInput, TooManyAttempts) as exc:
            _form_error(form, exc)
            status = exc.status
            headers = {"Retry-After": str(exc.retry_after)} if status == 429 else {}
        else:
            # The same words whether or not another account has new_email: never say which.
            # Said in the language just chosen, as the next page is.
            with force_locale(languages.known(saved.language) or get_locale().language):
                flash(_("We sent a link to %(new)s. Your login email changes when you open "
                        "it; until then, log in with %(old)s.", new=new_email,
                        old=current_user.email)
                      if new_email else _("Your details are saved."), "success")
            return redirect(url_for(".details"))
    return render_template("customer/account/details.html", form=form), status, headers


@bp.route("/account/email/<token>", methods=["GET", "POST"])
def confirm_email(token):
    """The link mailed to a new address: GET shows what it will do, the form's POST does it."""
    form = ConfirmEmailForm()
    try:
        customer, new_email = email_change.read(token, utcnow())
        if form.validate_on_submit():
            customer = email_change.confirm(token)
            flash(_("Your login email is now %(email)s.", email=customer.email), "success")
            mine = current_user.is_authenticated and current_user == customer
            return redirect(url_for(".details") if mine else url_for("auth.login"))
    except DomainError as exc:  # used, expired, tampered, or the address was taken since
        return render_template("customer/account/email_link_problem.html", message=exc.message), \
            exc.status
    return render_template("customer/account/confirm_email.html", form=form, customer=customer,
                           new_email=new_email)
