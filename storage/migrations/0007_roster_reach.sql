-- Why a bound account cannot be reached: 1 when Telegram refused a first message because the
-- person never started the bot, 0 when they blocked it (or while they are reachable).
ALTER TABLE persons ADD COLUMN never_started INTEGER NOT NULL DEFAULT 0;
