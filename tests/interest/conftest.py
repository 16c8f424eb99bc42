from ..mail.conftest import mail_config, smtp  # noqa: F401  (fixtures used here)
