-- Whether Discord agrees with a membership yet. The database is written first, then the role;
-- a crash between the two leaves 'add' or 'remove' here, so the start-up reconcile knows which
-- differences are the bot's unfinished writes (to finish in Discord) and which are changes an
-- admin made by hand while the bot was down (to read back). NULL: Discord agrees.
ALTER TABLE memberships ADD COLUMN pending TEXT CHECK (pending IN ('add', 'remove'));
