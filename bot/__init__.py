"""Youxie bot: the core (configuration, application assembly, services, i18n, console)."""
