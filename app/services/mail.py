"""E-mail through the SMTP server in the configuration (host, port, TLS, credentials)."""
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Iterable

from flask import current_app


class MailNotConfigured(RuntimeError):
    """MAIL_SERVER is not set: notices stay in the app and are not e-mailed."""


def send_email(recipients: Iterable[str], subject: str, body: str) -> None:
    """Send one plain-text message to the recipients; raise on any SMTP failure."""
    config = current_app.config
    host = config.get("MAIL_SERVER")
    if not host:
        raise MailNotConfigured("MAIL_SERVER is not set")
    recipients = [r for r in recipients if r]
    if not recipients:
        return
    message = EmailMessage()
    message["From"] = config.get("MAIL_DEFAULT_SENDER", "irm@localhost")
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="irm.kz")
    message.set_content(body)
    port = int(config.get("MAIL_PORT", 25))
    timeout = float(config.get("MAIL_TIMEOUT", 10))
    if config.get("MAIL_USE_SSL"):
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout,
                                context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
        smtp.send_message(message)
