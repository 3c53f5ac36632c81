#!/usr/bin/env python3
"""Entry point: run Youxie bot (Telegram or console), or one of its subcommands."""

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main())
