"""Flask extensions, made without an app and bound in create_app()."""
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_wtf.csrf import CSRFProtect

login = LoginManager()
login.login_view = "auth.login"
login.login_message = "Please log in to see that page."
login.login_message_category = "info"

csrf = CSRFProtect()
mail = Mail()
# Limits are set where they apply (the email-link endpoints); memory storage suits one server.
limiter = Limiter(get_remote_address, storage_uri="memory://")
