"""Flask extensions, made without an app and bound in create_app()."""
from flask_login import LoginManager
from flask_mail import Mail

from .web.app.csrf_kept import KeptCsrfProtect

login = LoginManager()
login.login_view = "auth.login"
login.login_message = "Please log in to see that page."
login.login_message_category = "info"

csrf = KeptCsrfProtect()  # Flask-WTF's, with verified tokens kept (web/app/csrf_kept.py)
mail = Mail()
# Rate limits are not an extension: they are counted in the database (portal/kernel/ratelimit.py).
