-- The chats whose menu button opens the dashboard (a secretariat member's), and its address,
-- so a member who leaves the secretariat gets the ordinary button back, even after a restart.
CREATE TABLE dashboard_menu_buttons (
    telegram_id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    set_at TEXT NOT NULL
);
