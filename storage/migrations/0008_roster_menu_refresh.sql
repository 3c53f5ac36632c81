-- People whose command menu may need updating after a change made outside the running bot
-- (`run_bot.py roster import`): the bot's background menu job takes them a few at a time.
CREATE TABLE menu_refresh (
    person_id INTEGER PRIMARY KEY REFERENCES persons (id) ON DELETE CASCADE,
    requested_at TEXT NOT NULL
) WITHOUT ROWID;
